package io.authservice.audittransport;

import io.authservice.audit.AuditEvent;
import io.authservice.audit.AuditWireFormat;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * What the service appends to the audit journal for one event: its Kafka record key (so the Kafka
 * shipper groups events without reading them) in front of its v1 wire form, which both shippers
 * pass on as it is, never decoded and encoded again.
 *
 * <p>Layout: the key's length in UTF-8 bytes (2 bytes, big-endian, unsigned; 0 for no key), the
 * key, then the event's {@link AuditWireFormat#encode v1 JSON}.
 */
public final class JournalPayload {
    private static final int MAX_KEY_BYTES = 0xFFFF;

    private JournalPayload() {
    }

    /** The payload of an event, keyed by {@link KafkaAuditRecords#key}. */
    public static byte[] of(AuditEvent event) {
        return of(KafkaAuditRecords.key(event), AuditWireFormat.encode(event));
    }

    /** The payload of an encoded event under {@code key} (null: none). */
    static byte[] of(String key, byte[] event) {
        final byte[] keyBytes = key == null ? new byte[0] : key.getBytes(StandardCharsets.UTF_8);
        if (keyBytes.length > MAX_KEY_BYTES) {
            throw new IllegalArgumentException("a record key of " + keyBytes.length + " bytes is too long");
        }
        final byte[] payload = new byte[2 + keyBytes.length + event.length];
        payload[0] = (byte) (keyBytes.length >>> 8);
        payload[1] = (byte) keyBytes.length;
        System.arraycopy(keyBytes, 0, payload, 2, keyBytes.length);
        System.arraycopy(event, 0, payload, 2 + keyBytes.length, event.length);
        return payload;
    }

    /** The record key a payload carries, or null for none. */
    public static String key(byte[] payload) {
        final int length = keyLength(payload);
        return length == 0 ? null : new String(payload, 2, length, StandardCharsets.UTF_8);
    }

    /** The event's v1 wire form in a payload. */
    public static byte[] event(byte[] payload) {
        return Arrays.copyOfRange(payload, 2 + keyLength(payload), payload.length);
    }

    private static int keyLength(byte[] payload) {
        if (payload.length < 2) {
            throw new IllegalArgumentException("a journal payload of " + payload.length + " bytes has no key length");
        }
        final int length = ((payload[0] & 0xFF) << 8) | (payload[1] & 0xFF);
        if (2 + length > payload.length) {
            throw new IllegalArgumentException("a journal payload of " + payload.length + " bytes cannot hold a key of "
                    + length);
        }
        return length;
    }
}
