package io.authservice.audit;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.annotation.JsonUnwrapped;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The versioned JSON forms of audit events, as they travel between processes (Kafka) and are
 * exported. Times are ISO 8601 UTC strings; absent fields are left out.
 *
 * <ul>
 *   <li><b>Version 1</b>, one event: one object, {@code "v":1} first, then the event's snake_case
 *       fields ({@link #encode}, {@link #decode}). Exports and the service's journal hold this form.</li>
 *   <li><b>Version 2</b>, a batch: {@code {"v":2,"events":[<v1 object>,<v1 object>,...]}}, each
 *       element a whole version 1 object, {@code "v":1} included ({@link #encodeBatch}). One Kafka record
 *       carries many events, so Kafka's cost per record is paid per batch.</li>
 * </ul>
 *
 * <p>{@link #decodeRecord} reads a record of either version. A reader accepts fields it does not
 * know (a later minor addition) but refuses a version it does not know; a batch with an element
 * it cannot read is refused as a whole.
 */
public final class AuditWireFormat {
    /** The version of one event (an export line, a journal entry, an element of a batch). */
    public static final int VERSION = 1;
    /** The version of a batch of events in one record. */
    public static final int BATCH_VERSION = 2;
    public static final String VERSION_FIELD = "v";
    /** The field of a batch that holds its events. */
    public static final String EVENTS_FIELD = "events";

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
    /** How every batch this class writes begins, up to its first event. */
    private static final byte[] BATCH_PREFIX = ("{\"" + VERSION_FIELD + "\":" + BATCH_VERSION + ",\"" + EVENTS_FIELD + "\":[")
            .getBytes(StandardCharsets.UTF_8);
    private static final byte[] BATCH_SUFFIX = "]}".getBytes(StandardCharsets.UTF_8);

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
     * A version 2 record: the already encoded version 1 payloads (each as {@link #encode} wrote it),
     * put one after the other into one batch, neither read nor written again.
     *
     * @throws IllegalArgumentException when there are no payloads or one is not a JSON object
     */
    public static byte[] encodeBatch(List<byte[]> v1Payloads) {
        if (v1Payloads.isEmpty()) {
            throw new IllegalArgumentException("a batch needs at least one event");
        }
        int length = BATCH_PREFIX.length + BATCH_SUFFIX.length + v1Payloads.size() - 1;
        for (byte[] payload : v1Payloads) {
            if (payload.length < 2 || payload[0] != '{' || payload[payload.length - 1] != '}') {
                throw new IllegalArgumentException("not an encoded audit event: a payload that is not one JSON object");
            }
            length += payload.length;
        }
        final byte[] record = new byte[length];
        System.arraycopy(BATCH_PREFIX, 0, record, 0, BATCH_PREFIX.length);
        int at = BATCH_PREFIX.length;
        for (int i = 0; i < v1Payloads.size(); i++) {
            if (i > 0) {
                record[at++] = ',';
            }
            final byte[] payload = v1Payloads.get(i);
            System.arraycopy(payload, 0, record, at, payload.length);
            at += payload.length;
        }
        System.arraycopy(BATCH_SUFFIX, 0, record, at, BATCH_SUFFIX.length);
        return record;
    }

    /**
     * Reads a record of either version: the one event of a version 1 record, or the events of a
     * version 2 batch, in their order.
     *
     * @throws MalformedAuditEventException when the bytes are not a record of a known version, or a
     *                                      batch holds an element that is not an event (the message says which)
     */
    public static List<AuditEvent> decodeRecord(byte[] bytes) {
        if (bytes == null) {
            throw new MalformedAuditEventException("no payload");
        }
        if (startsWith(bytes, CURRENT_PREFIX)) {
            return List.of(decodeCurrent(bytes));
        }
        if (startsWith(bytes, BATCH_PREFIX)) {
            final List<AuditEvent> events = decodeCurrentBatch(bytes);
            if (events != null) {
                return events;
            }
        }
        return decodeRecordTree(bytes);
    }

    /**
     * Reads an event (a version 1 payload).
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
        final ObjectNode object = objectOf(bytes);
        final int version = version(object);
        if (version != VERSION) {
            throw new MalformedAuditEventException("unknown version " + version);
        }
        return eventOf(object);
    }

    private static List<AuditEvent> decodeRecordTree(byte[] bytes) {
        final ObjectNode object = objectOf(bytes);
        final int version = version(object);
        if (version == VERSION) {
            return List.of(eventOf(object));
        }
        if (version != BATCH_VERSION) {
            throw new MalformedAuditEventException("unknown version " + version);
        }
        if (!(object.get(EVENTS_FIELD) instanceof ArrayNode elements)) {
            throw new MalformedAuditEventException("a version 2 record with no \"" + EVENTS_FIELD + "\" array");
        }
        if (elements.isEmpty()) {
            throw new MalformedAuditEventException("a version 2 record with no events");
        }
        final List<AuditEvent> events = new ArrayList<>(elements.size());
        for (int i = 0; i < elements.size(); i++) {
            try {
                if (!(elements.get(i) instanceof ObjectNode element)) {
                    throw new MalformedAuditEventException("not a JSON object");
                }
                final int elementVersion = version(element);
                if (elementVersion != VERSION) {
                    throw new MalformedAuditEventException("unknown version " + elementVersion);
                }
                events.add(eventOf(element));
            } catch (MalformedAuditEventException e) {
                throw new MalformedAuditEventException("event " + i + " of the batch: " + e.getMessage());
            }
        }
        return events;
    }

    private static ObjectNode objectOf(byte[] bytes) {
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
        return object;
    }

    /** Takes the {@code "v"} field out of the object and gives its value. */
    private static int version(ObjectNode object) {
        final JsonNode version = object.remove(VERSION_FIELD);
        if (version == null || !version.isInt()) {
            throw new MalformedAuditEventException("no integer \"v\" field");
        }
        return version.intValue();
    }

    /** The event's fields (without {@code "v"}) as an event. */
    private static AuditEvent eventOf(ObjectNode fields) {
        try {
            return JSON.treeToValue(fields, AuditEvent.class);
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

    /**
     * A batch as this class writes it, read in one pass without a tree: the prefix says it is
     * version 2, each element must begin as {@link #encode} begins (so it is version 1) and is read
     * as {@link #decodeCurrent} reads one, and nothing may follow the batch's own object. Null when
     * the bytes are anything else, which the general reader then reads or refuses with its reason.
     */
    private static List<AuditEvent> decodeCurrentBatch(byte[] bytes) {
        try (JsonParser parser = EVENT_READER.createParser(bytes)) {
            parser.nextToken();  // the record's START_OBJECT, then "v": 2 and "events": [, as the prefix said
            parser.nextToken();
            parser.nextToken();
            parser.nextToken();
            if (parser.nextToken() != JsonToken.START_ARRAY) {
                return null;
            }
            final List<AuditEvent> events = new ArrayList<>();
            while (parser.nextToken() == JsonToken.START_OBJECT) {
                if (!startsWith(bytes, (int) parser.currentTokenLocation().getByteOffset(), CURRENT_PREFIX)) {
                    return null;
                }
                events.add(EVENT_READER.readValue(parser));
            }
            if (events.isEmpty() || parser.currentToken() != JsonToken.END_ARRAY
                    || parser.nextToken() != JsonToken.END_OBJECT || parser.nextToken() != null) {
                return null;
            }
            return events;
        } catch (IOException | IllegalArgumentException e) {
            return null;
        }
    }

    private static boolean startsWith(byte[] bytes, byte[] prefix) {
        return startsWith(bytes, 0, prefix);
    }

    private static boolean startsWith(byte[] bytes, int from, byte[] prefix) {
        return from >= 0 && bytes.length - from >= prefix.length
                && Arrays.equals(bytes, from, from + prefix.length, prefix, 0, prefix.length);
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
