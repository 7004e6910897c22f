package io.authservice.audittransport;

import io.authservice.audit.AuditEvent;
import io.authservice.audit.AuditWireFormat;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeader;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Builds the Kafka records of journaled events (v2: many events of one record key in one record); nothing else. */
public final class KafkaAuditRecords {
    public static final String VERSION_HEADER = "v";
    /** Most events in one record. */
    public static final int MAX_EVENTS = 500;
    /** Most bytes of events in one record, well under the producer's {@code max.request.size} (1 MiB by default). */
    public static final int MAX_BYTES = 256 * 1024;

    private static final byte[] VERSION = Integer.toString(AuditWireFormat.BATCH_VERSION).getBytes(StandardCharsets.US_ASCII);

    private KafkaAuditRecords() {
    }

    /**
     * The record key of an event: the API key's id (or else the user's), so one key's events land
     * on one partition in order; null (spread evenly) for an event with neither.
     */
    public static String key(AuditEvent event) {
        if (event.keyId() != null) {
            return "key:" + event.keyId();
        }
        if (event.userId() != null) {
            return "user:" + event.userId();
        }
        return null;
    }

    /**
     * The records of one key's events (v1 wire forms, in order): as few as {@link #MAX_EVENTS} and
     * {@link #MAX_BYTES} allow, in the same order, each with header {@code v} = 2.
     */
    public static List<ProducerRecord<String, byte[]>> toRecords(String topic, String key, List<byte[]> events) {
        final List<ProducerRecord<String, byte[]>> records = new ArrayList<>();
        int start = 0;
        long bytes = 0;
        for (int i = 0; i < events.size(); i++) {
            final int size = events.get(i).length + 1;  // and its comma
            if (i > start && (i - start == MAX_EVENTS || bytes + size > MAX_BYTES)) {
                records.add(toRecord(topic, key, events.subList(start, i)));
                start = i;
                bytes = 0;
            }
            bytes += size;
        }
        if (start < events.size()) {
            records.add(toRecord(topic, key, events.subList(start, events.size())));
        }
        return records;
    }

    private static ProducerRecord<String, byte[]> toRecord(String topic, String key, List<byte[]> events) {
        return new ProducerRecord<>(topic, null, key, AuditWireFormat.encodeBatch(events),
                List.of(new RecordHeader(VERSION_HEADER, VERSION)));
    }
}
