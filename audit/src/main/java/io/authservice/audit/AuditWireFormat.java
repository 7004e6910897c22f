package io.authservice.audit;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.annotation.JsonUnwrapped;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The versioned JSON form of an {@link AuditEvent}, as it travels between processes (Kafka) and is
 * exported: one object, {@code "v"} first, then the record's snake_case fields; absent fields are
 * left out; times are ISO 8601 UTC strings.
 *
 * <p>Version 1 is the only version so far. A reader accepts fields it does not know (a later
 * minor addition) but refuses a version it does not know.
 */
public final class AuditWireFormat {
    /** The version this class writes. */
    public static final int VERSION = 1;
    public static final String VERSION_FIELD = "v";

    private static final ObjectMapper JSON = new ObjectMapper()
            .registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .disable(DeserializationFeature.ADJUST_DATES_TO_CONTEXT_TIME_ZONE)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    private static final ObjectWriter VERSIONED_WRITER = JSON.writerFor(Versioned.class);
    /** Refuses a field written twice, so that a second {@code "v"} is judged as the general reader judges it. */
    private static final ObjectReader EVENT_READER = JSON.readerFor(AuditEvent.class)
            .with(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
    /** How every payload of the current version that this class writes begins. */
    private static final byte[] CURRENT_PREFIX = ("{\"" + VERSION_FIELD + "\":" + VERSION + ",")
            .getBytes(StandardCharsets.UTF_8);

    private AuditWireFormat() {
    }

    /** The event as a JSON object node, {@code "v"} first: the same form as {@link #encode}. */
    public static ObjectNode toJson(AuditEvent event) {
        return JSON.valueToTree(new Versioned(VERSION, event));
    }

    /** The event as UTF-8 JSON bytes, written in one pass (no tree in between). */
    public static byte[] encode(AuditEvent event) {
        try {
            return VERSIONED_WRITER.writeValueAsBytes(new Versioned(VERSION, event));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot encode audit event " + event.id(), e);
        }
    }

    /** The event as a JSON string. */
    public static String encodeToString(AuditEvent event) {
        return new String(encode(event), StandardCharsets.UTF_8);
    }

    /**
     * Reads an event.
     *
     * @throws MalformedAuditEventException when the bytes are not an event of a known version
     */
    public static AuditEvent decode(byte[] bytes) {
        if (bytes == null) {
            throw new MalformedAuditEventException("no payload");
        }
        return startsWith(bytes, CURRENT_PREFIX) ? decodeCurrent(bytes) : decodeTree(bytes);
    }

    private static AuditEvent decodeTree(byte[] bytes) {
        final JsonNode node;
        try {
            node = JSON.readTree(bytes);
        } catch (JsonProcessingException e) {
            throw new MalformedAuditEventException("not JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new MalformedAuditEventException("not JSON: " + e.getMessage());
        }
        if (!(node instanceof ObjectNode object)) {
            throw new MalformedAuditEventException("not a JSON object");
        }
        final JsonNode version = object.remove(VERSION_FIELD);
        if (version == null || !version.isInt()) {
            throw new MalformedAuditEventException("no integer \"v\" field");
        }
        if (version.intValue() != VERSION) {
            throw new MalformedAuditEventException("unknown version " + version.intValue());
        }
        try {
            return JSON.treeToValue(object, AuditEvent.class);
        } catch (JsonProcessingException | IllegalArgumentException e) {
            final Throwable cause = e.getCause() != null ? e.getCause() : e;
            throw new MalformedAuditEventException("not an audit event: "
                    + (e instanceof JsonProcessingException j ? j.getOriginalMessage() : cause.getMessage()));
        }
    }

    /**
     * What this class writes, read in one pass: the prefix says it is version 1, and the reader
     * skips {@code "v"} as a field it does not know. A payload that fails here is read again the
     * general way, which gives the reason (bad JSON before a bad field, as for every payload).
     */
    private static AuditEvent decodeCurrent(byte[] bytes) {
        try {
            return EVENT_READER.readValue(bytes);
        } catch (IOException | IllegalArgumentException e) {
            return decodeTree(bytes);
        }
    }

    private static boolean startsWith(byte[] bytes, byte[] prefix) {
        return bytes.length >= prefix.length && Arrays.equals(bytes, 0, prefix.length, prefix, 0, prefix.length);
    }

    /** Version first, then the event's own fields, as one object. */
    @JsonPropertyOrder({VERSION_FIELD})
    private record Versioned(@JsonProperty(VERSION_FIELD) int version, @JsonUnwrapped AuditEvent event) {
    }

    /** A payload that is not an audit event this version can read. */
    public static final class MalformedAuditEventException extends RuntimeException {
        public MalformedAuditEventException(String message) {
            super(message);
        }
    }
}
