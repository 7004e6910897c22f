package io.authservice.auth;

import io.authservice.audit.AuditEvent;
import io.authservice.audit.AuditEventTypes;
import io.authservice.audit.AuditReasons;
import io.authservice.core.ApiKey;
import io.authservice.core.ServiceCaller;
import io.dropwizard.jersey.errors.ErrorMessage;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** The outcome value alone: how each outcome is answered and what event it makes. */
class ApiKeyOutcomeTest {
    private static final Instant NOW = Instant.parse("2026-03-01T12:00:00Z");
    private static final Origin ORIGIN = new Origin("192.0.2.7", "192.0.2.7", "curl/8", "GET", "/api/v1/whoami", "req-1");
    private static final ApiKey KEY = new ApiKey(42, "tts-worker", "ab12cd", "hash", Set.of("users:read"), true, NOW,
            null, null, null, NOW, null);

    @Test
    void anAcceptedKeyIsItsServiceAndAUse() {
        final ApiKeyOutcome.Accepted accepted = new ApiKeyOutcome.Accepted(ORIGIN, KEY, "f".repeat(32));
        assertThat(accepted.caller()).isInstanceOf(ServiceCaller.class);
        assertThat(accepted.caller().holds("users:read")).isTrue();
        assertThat(accepted.outcome()).isEqualTo("used");
        final AuditEvent event = accepted.toEvent(200, NOW, "i-1");
        assertThat(event.type()).isEqualTo(AuditEventTypes.API_KEY_USED);
        assertThat(event.outcome()).isEqualTo(AuditEvent.SUCCESS);
        assertThat(event.reason()).isNull();
        assertThat(event.fingerprint()).as("a use is not fingerprinted").isNull();
        assertThat(event.keyId()).isEqualTo(42L);
        assertThat(event.status()).isEqualTo(200);
    }

    @Test
    void aKeyWithoutTheScopeIsRefusedWithItsRecordAndFingerprint() {
        final ApiKeyOutcome.Refused refused = new ApiKeyOutcome.Accepted(ORIGIN, KEY, "f".repeat(32)).withoutScope();
        assertThat(refused.outcome()).isEqualTo(AuditReasons.INSUFFICIENT_SCOPE);
        final AuditEvent event = refused.toEvent(403, NOW, "i-1");
        assertThat(event.type()).isEqualTo(AuditEventTypes.API_KEY_REJECTED);
        assertThat(event.outcome()).isEqualTo(AuditEvent.FAILURE);
        assertThat(event.keyId()).isEqualTo(42L);
        assertThat(event.fingerprint()).isEqualTo("f".repeat(32));
    }

    @Test
    void everyBadKeyGetsTheOne401() {
        for (String reason : new String[]{AuditReasons.MALFORMED, AuditReasons.UNKNOWN, AuditReasons.INACTIVE, AuditReasons.EXPIRED}) {
            final Response answer = new ApiKeyOutcome.Refused(ORIGIN, reason, null, "a".repeat(32), 0)
                    .answer(ApiKeyAuthFilter.SCHEME, "auth-service").getResponse();
            assertThat(answer.getStatus()).as(reason).isEqualTo(401);
            assertThat(answer.getHeaderString(HttpHeaders.WWW_AUTHENTICATE)).isEqualTo("ApiKey realm=\"auth-service\"");
            assertThat(answer.getHeaderString(HttpHeaders.RETRY_AFTER)).isNull();
            assertThat(((ErrorMessage) answer.getEntity()).getMessage()).isEqualTo(JsonUnauthorizedHandler.MESSAGE);
        }
    }

    @Test
    void throttledAndStoreOutagesSayWhenToRetry() {
        final Response throttled = new ApiKeyOutcome.Refused(ORIGIN, AuditReasons.THROTTLED, null, null, 17)
                .answer(ApiKeyAuthFilter.SCHEME, "auth-service").getResponse();
        assertThat(throttled.getStatus()).isEqualTo(429);
        assertThat(throttled.getHeaderString(HttpHeaders.RETRY_AFTER)).isEqualTo("17");
        assertThat(throttled.getHeaderString(HttpHeaders.WWW_AUTHENTICATE)).isNull();
        final Response outage = new ApiKeyOutcome.Refused(ORIGIN, AuditReasons.STORE_UNAVAILABLE, null, null, 5)
                .answer(ApiKeyAuthFilter.SCHEME, "auth-service").getResponse();
        assertThat(outage.getStatus()).isEqualTo(503);
        assertThat(outage.getHeaderString(HttpHeaders.RETRY_AFTER)).isEqualTo("5");
        assertThat(((ErrorMessage) outage.getEntity()).getMessage()).isEqualTo(ApiKeyOutcome.STORE_UNAVAILABLE_MESSAGE);
    }
}
