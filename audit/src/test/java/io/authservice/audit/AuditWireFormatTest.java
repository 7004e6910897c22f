package io.authservice.audit;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Pins the wire form: a change that would break a consumer of version 1 fails here. */
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
        final AuditEvent event = AuditEvent.builder(AuditEventTypes.LOGIN_FAILED, AuditEvent.FAILURE, Instant.now())
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
