package io.authservice.audit;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Pins the wire forms: a change that would break a consumer of version 1 or 2 fails here. */
class AuditWireFormatTest {
    static final AuditEvent USED = new AuditEvent(UUID.fromString("019ab8f2-5c00-7a3e-8b1c-2d4e6f708192"),
            Instant.parse("2026-11-25T10:00:00.123456Z"), AuditEventTypes.API_KEY_USED, AuditEvent.SUCCESS, null,
            42L, "tts-worker", "3f9a1c", null, "203.0.113.7", "curl/8.5.0", "GET", "/api/v1/whoami", 200, "req-1",
            "auth-1", null, null, null);
    static final AuditEvent EVERY_FIELD = new AuditEvent(UUID.fromString("019ab8f2-5c00-7a3e-8b1c-2d4e6f708193"),
            Instant.parse("2026-11-25T10:00:00Z"), AuditEventTypes.API_KEY_REJECTED, AuditEvent.FAILURE, AuditReasons.UNKNOWN,
            7L, "hdts", "ab12cd", 9L, "2001:db8::1", "agent", "POST", "/api/v1/tts/users-info/", 401, "req-2",
            "auth-2", "hmac-sha256:00ff", "admin-task@127.0.0.1", "task");

    @Test
    void version1IsWrittenExactlyAsTheFixtures() {
        assertThat(AuditWireFormat.encodeToString(USED)).isEqualTo(fixture("v1-api-key-used.json"));
        assertThat(AuditWireFormat.encodeToString(EVERY_FIELD)).isEqualTo(fixture("v1-every-field.json"));
    }

    @Test
    void theJsonTreeIsTheSameFormAsTheBytes() {
        assertThat(AuditWireFormat.toJson(EVERY_FIELD).toString()).isEqualTo(fixture("v1-every-field.json"));
        assertThat(AuditWireFormat.toJson(USED).toString()).isEqualTo(fixture("v1-api-key-used.json"));
    }

    @Test
    void version1FixturesReadBackToTheSameEvents() {
        assertThat(AuditWireFormat.decode(bytes("v1-api-key-used.json"))).isEqualTo(USED);
        assertThat(AuditWireFormat.decode(bytes("v1-every-field.json"))).isEqualTo(EVERY_FIELD);
    }

    @Test
    void aFreshEventRoundTrips() {
        final AuditEvent event = AuditEvent.builder(AuditEventTypes.LOGIN_FAILED, AuditEvent.FAILURE,
                Instant.parse("2026-06-01T12:00:00.123456789Z"))
                .reason(AuditReasons.BAD_PASSWORD).userId(3L).request("10.0.0.1", "ua \"quoted\"\n", "POST", "/login").build();
        assertThat(AuditWireFormat.decode(AuditWireFormat.encode(event))).isEqualTo(event);
    }

    @Test
    void fieldsAddedLaterWithinVersion1AreIgnored() {
        final String json = fixture("v1-api-key-used.json").replace("\"v\":1,", "\"v\":1,\"added_later\":[1,2],");
        assertThat(AuditWireFormat.decode(json.getBytes(StandardCharsets.UTF_8))).isEqualTo(USED);
    }

    @Test
    void theVersionNeedNotComeFirst() {
        final String json = fixture("v1-api-key-used.json").replace("\"v\":1,", "").replaceFirst("}$", ",\"v\":1}");
        assertThat(json).doesNotStartWith("{\"v\"");
        assertThat(decode(json)).isEqualTo(USED);
    }

    @Test
    void aPayloadThatStartsLikeVersion1ButIsNotAnEventIsRefusedWithTheReason() {
        assertThatThrownBy(() -> decode("{\"v\":1,not json")).isInstanceOf(AuditWireFormat.MalformedAuditEventException.class)
                .hasMessageStartingWith("not JSON");
        assertThatThrownBy(() -> decode("{\"v\":1,\"id\":\"not-a-uuid\"}"))
                .isInstanceOf(AuditWireFormat.MalformedAuditEventException.class).hasMessageStartingWith("not an audit event");
        // bad JSON is told as such even where a bad field comes before the place it breaks
        assertThatThrownBy(() -> decode("{\"v\":1,\"id\":\"not-a-uuid\"")).hasMessageStartingWith("not JSON");
        // a second "v" counts, as it does for a payload that does not start with the first
        assertThatThrownBy(() -> decode(fixture("v1-api-key-used.json").replaceFirst("}$", ",\"v\":2}")))
                .hasMessage("unknown version 2");
    }

    @Test
    void whatIsNotAnEventOfAKnownVersionIsRefusedWithTheReason() {
        assertThatThrownBy(() -> decode("not json")).isInstanceOf(AuditWireFormat.MalformedAuditEventException.class)
                .hasMessageStartingWith("not JSON");
        assertThatThrownBy(() -> decode("[1]")).hasMessage("not a JSON object");
        assertThatThrownBy(() -> decode("{\"id\":\"x\"}")).hasMessage("no integer \"v\" field");
        assertThatThrownBy(() -> decode(fixture("v1-api-key-used.json").replace("\"v\":1", "\"v\":2")))
                .hasMessage("unknown version 2");
        assertThatThrownBy(() -> decode("{\"v\":1,\"id\":\"019ab8f2-5c00-7a3e-8b1c-2d4e6f708192\"}"))
                .isInstanceOf(AuditWireFormat.MalformedAuditEventException.class).hasMessageStartingWith("not an audit event");
        assertThatThrownBy(() -> AuditWireFormat.decode(null)).hasMessage("no payload");
    }

    @Test
    void version2IsWrittenExactlyAsTheFixtures() {
        assertThat(new String(AuditWireFormat.encodeBatch(List.of(AuditWireFormat.encode(USED), AuditWireFormat.encode(EVERY_FIELD))),
                StandardCharsets.UTF_8)).isEqualTo(fixture("v2-batch.json"));
        assertThat(new String(AuditWireFormat.encodeBatch(List.of(AuditWireFormat.encode(USED))), StandardCharsets.UTF_8))
                .isEqualTo(fixture("v2-one-event.json"));
    }

    @Test
    void version2FixturesReadBackToTheSameEventsInOrder() {
        assertThat(AuditWireFormat.decodeRecord(bytes("v2-batch.json"))).containsExactly(USED, EVERY_FIELD);
        assertThat(AuditWireFormat.decodeRecord(bytes("v2-one-event.json"))).containsExactly(USED);
    }

    @Test
    void aRecordOfVersion1IsOneEvent() {
        assertThat(AuditWireFormat.decodeRecord(bytes("v1-api-key-used.json"))).containsExactly(USED);
        assertThat(AuditWireFormat.decodeRecord(bytes("v1-every-field.json"))).containsExactly(EVERY_FIELD);
        final String versionLast = fixture("v1-api-key-used.json").replace("\"v\":1,", "").replaceFirst("}$", ",\"v\":1}");
        assertThat(decodeRecord(versionLast)).containsExactly(USED);
    }

    @Test
    void aBatchWrittenAnotherWayReadsTheSame() {
        final String elementVersionLast = fixture("v1-every-field.json").replace("\"v\":1,", "").replaceFirst("}$", ",\"v\":1}");
        final String reordered = "{\"added_later\":true,\n  \"events\": [ " + fixture("v1-api-key-used.json") + " ,\n "
                + elementVersionLast + " ],\n  \"v\": 2 }";
        assertThat(decodeRecord(reordered)).containsExactly(USED, EVERY_FIELD);
        final String elementWithFieldAddedLater = fixture("v2-one-event.json").replace("{\"v\":1,", "{\"v\":1,\"added_later\":{\"x\":[1]},");
        assertThat(elementWithFieldAddedLater).startsWith("{\"v\":2,\"events\":[{\"v\":1,\"added_later\"");
        assertThat(decodeRecord(elementWithFieldAddedLater)).containsExactly(USED);
        final String trailingField = fixture("v2-one-event.json").replaceFirst("}$", ",\"producer\":\"x\"}");
        assertThat(decodeRecord(trailingField)).containsExactly(USED);
    }

    @Test
    void aBatchWithOneBadElementIsRefusedAsAWholeSayingWhichAndWhy() {
        final String batch = fixture("v2-batch.json");
        final String badSecond = batch.replace("\"id\":\"019ab8f2-5c00-7a3e-8b1c-2d4e6f708193\"", "\"id\":\"not-a-uuid\"");
        assertThatThrownBy(() -> decodeRecord(badSecond)).isInstanceOf(AuditWireFormat.MalformedAuditEventException.class)
                .hasMessageStartingWith("event 1 of the batch: not an audit event");
        final String noType = batch.replace("\"type\":\"api_key.used\",", "");
        assertThatThrownBy(() -> decodeRecord(noType)).hasMessageStartingWith("event 0 of the batch: not an audit event");
        assertThatThrownBy(() -> decodeRecord(batch.replace("[{\"v\":1,", "[{\"v\":3,")))
                .hasMessage("event 0 of the batch: unknown version 3");
        // a second "v" in an element counts, as it does in a record of version 1
        assertThatThrownBy(() -> decodeRecord(batch.replace("\"instance_id\":\"auth-1\"}", "\"instance_id\":\"auth-1\",\"v\":2}")))
                .hasMessage("event 0 of the batch: unknown version 2");
        assertThatThrownBy(() -> decodeRecord(batch.replace("\"instance_id\":\"auth-1\"}", "\"instance_id\":\"auth-1\",\"id\":\"x\"}")))
                .hasMessageStartingWith("event 0 of the batch: not an audit event");
        assertThatThrownBy(() -> decodeRecord("{\"v\":2,\"events\":[" + fixture("v1-api-key-used.json") + ",null]}"))
                .hasMessage("event 1 of the batch: not a JSON object");
        assertThatThrownBy(() -> decodeRecord("{\"v\":2,\"events\":[{\"id\":\"x\"}]}"))
                .hasMessage("event 0 of the batch: no integer \"v\" field");
    }

    @Test
    void whatIsNotARecordOfAKnownVersionIsRefusedWithTheReason() {
        final String batch = fixture("v2-batch.json");
        assertThatThrownBy(() -> decodeRecord(batch.substring(0, batch.length() - 3)))
                .isInstanceOf(AuditWireFormat.MalformedAuditEventException.class).hasMessageStartingWith("not JSON");
        assertThatThrownBy(() -> decodeRecord("{\"v\":2,\"events\":[]}")).hasMessage("a version 2 record with no events");
        assertThatThrownBy(() -> decodeRecord("{\"v\":2,\"events\":{}}")).hasMessage("a version 2 record with no \"events\" array");
        assertThatThrownBy(() -> decodeRecord("{\"v\":2}")).hasMessage("a version 2 record with no \"events\" array");
        assertThatThrownBy(() -> decodeRecord(batch.replace("{\"v\":2,", "{\"v\":3,"))).hasMessage("unknown version 3");
        assertThatThrownBy(() -> decodeRecord(batch.replaceFirst("}$", ",\"v\":3}"))).hasMessage("unknown version 3");
        assertThatThrownBy(() -> decodeRecord("[1]")).hasMessage("not a JSON object");
        assertThatThrownBy(() -> decodeRecord("{\"events\":[]}")).hasMessage("no integer \"v\" field");
        assertThatThrownBy(() -> decodeRecord("{\"v\":1,\"id\":\"not-a-uuid\"}")).hasMessageStartingWith("not an audit event");
        assertThatThrownBy(() -> AuditWireFormat.decodeRecord(null)).hasMessage("no payload");
        // a single event's reader takes no batch
        assertThatThrownBy(() -> decode(batch)).hasMessage("unknown version 2");
    }

    @Test
    void aBatchIsMadeOfEncodedEventsOnly() {
        assertThatThrownBy(() -> AuditWireFormat.encodeBatch(List.of())).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> AuditWireFormat.encodeBatch(List.of(AuditWireFormat.encode(USED), "[1]".getBytes(StandardCharsets.UTF_8))))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> AuditWireFormat.encodeBatch(List.of(new byte[0]))).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aFreshBatchRoundTrips() {
        final List<AuditEvent> events = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            events.add(AuditEvent.builder(AuditEventTypes.API_KEY_USED, AuditEvent.SUCCESS, Instant.parse("2026-11-25T10:00:00Z").plusMillis(i))
                    .key((long) i, "k\u00e9\"" + i, "abcd").request("10.0.0." + (i % 255), "ua \\ \n\u2028", "GET", "/p?x=" + i).status(200).build());
        }
        final byte[] batch = AuditWireFormat.encodeBatch(events.stream().map(AuditWireFormat::encode).toList());
        assertThat(AuditWireFormat.decodeRecord(batch)).containsExactlyElementsOf(events);
    }

    private static List<AuditEvent> decodeRecord(String json) {
        return AuditWireFormat.decodeRecord(json.getBytes(StandardCharsets.UTF_8));
    }

    private static AuditEvent decode(String json) {
        return AuditWireFormat.decode(json.getBytes(StandardCharsets.UTF_8));
    }

    static String fixture(String name) {
        return new String(bytes(name), StandardCharsets.UTF_8).strip();
    }

    private static byte[] bytes(String name) {
        try (InputStream in = AuditWireFormatTest.class.getResourceAsStream("/wire/" + name)) {
            if (in == null) {
                throw new IllegalStateException("no fixture " + name);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
