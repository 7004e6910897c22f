package io.authservice.auth;

import io.authservice.audit.AuditEvent;
import io.authservice.audit.AuditEventTypes;
import io.authservice.core.Caller;

import java.time.Instant;

/**
 * What one presented access token came to: {@link Accepted} (the person) or {@link Rejected} (the
 * true reason; the caller sees the one 401). {@link JwtAuthenticator} makes it; a rejection travels
 * with its request under {@link #PROPERTY} to {@link AuthAuditFilter}, which records its event with
 * the status answered, as it does for API keys. Holds no token.
 */
public sealed interface JwtOutcome permits JwtOutcome.Accepted, JwtOutcome.Rejected {
    /** Request property under which a rejection travels with its request. */
    String PROPERTY = JwtOutcome.class.getName();

    record Accepted(Caller caller) implements JwtOutcome {
    }

    /**
     * @param userId the token's subject where its signature held (expired, wrong type, revoked), else null
     */
    record Rejected(Origin origin, String reason, Long userId) implements JwtOutcome {
        /** The one audit event for this rejection, given the status the request was answered with. */
        public AuditEvent toEvent(int status, Instant now, String instanceId) {
            return origin.describe(AuditEvent.builder(AuditEventTypes.TOKEN_REJECTED, AuditEvent.FAILURE, now))
                    .reason(reason)
                    .userId(userId)
                    .status(status)
                    .instanceId(instanceId)
                    .build();
        }
    }
}
