package io.authservice.audittransport;

import io.authservice.audit.AuditEvent;
import io.authservice.audit.AuditEventTypes;
import io.authservice.audit.AuditWireFormat;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class JournalPayloadTest {
    @Test
    void carriesTheRecordKeyInFrontOfTheV1WireFormUnchanged() {
        final AuditEvent event = AuditEvent.builder(AuditEventTypes.API_KEY_USED, AuditEvent.SUCCESS,
                Instant.parse("2026-11-25T10:00:00Z")).key(7L, "tts", "abcd1234").build();
        final byte[] payload = JournalPayload.of(event);
        assertThat(JournalPayload.key(payload)).isEqualTo("key:7");
        assertThat(JournalPayload.event(payload)).isEqualTo(AuditWireFormat.encode(event));
        assertThat(new String(payload, 0, 7, StandardCharsets.UTF_8)).isEqualTo("\u0000\u0005key:7");
    }

    @Test
    void anEventWithNeitherKeyNorUserHasNoRecordKey() {
        final AuditEvent event = AuditEvent.builder(AuditEventTypes.LOGIN_FAILED, AuditEvent.FAILURE, Instant.EPOCH).build();
        final byte[] payload = JournalPayload.of(event);
        assertThat(JournalPayload.key(payload)).isNull();
        assertThat(AuditWireFormat.decode(JournalPayload.event(payload))).isEqualTo(event);
    }

    @Test
    void aPayloadTooShortForItsKeyIsRefusedNotMisread() {
        assertThatThrownBy(() -> JournalPayload.key(new byte[]{0})).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> JournalPayload.event(new byte[]{0, 9, 'k'})).isInstanceOf(IllegalArgumentException.class);
    }
}
