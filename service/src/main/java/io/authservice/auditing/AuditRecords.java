package io.authservice.auditing;

import io.authservice.audit.AuditEvent;
import io.authservice.audit.AuditWireFormat;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeader;

import java.nio.charset.StandardCharsets;
import java.util.List;

/** Builds the Kafka record of an event; nothing else. */
public final class AuditRecords {
    public static final String VERSION_HEADER = "v";
    public static final String TYPE_HEADER = "type";

    private AuditRecords() {
    }

    /**
     * The record: the event's wire form as the value; as the key the API key's id (or else the
     * user's), so one key's events land on one partition in order; no key (spread evenly) for an
     * event with neither.
     */
    public static ProducerRecord<String, byte[]> toRecord(String topic, AuditEvent event) {
        return toRecord(topic, key(event), AuditWireFormat.encode(event), event.type());
    }

    /** The record of an already encoded event (a spooled one). */
    public static ProducerRecord<String, byte[]> toRecord(String topic, String key, byte[] value, String type) {
        return new ProducerRecord<>(topic, null, key, value, List.of(
                new RecordHeader(VERSION_HEADER, Integer.toString(AuditWireFormat.VERSION).getBytes(StandardCharsets.US_ASCII)),
                new RecordHeader(TYPE_HEADER, type.getBytes(StandardCharsets.UTF_8))));
    }

    public static String key(AuditEvent event) {
        if (event.keyId() != null) {
            return "key:" + event.keyId();
        }
        if (event.userId() != null) {
            return "user:" + event.userId();
        }
        return null;
    }
}
