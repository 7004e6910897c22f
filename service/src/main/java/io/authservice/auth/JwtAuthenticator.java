package io.authservice.auth;

import com.codahale.metrics.Meter;
import com.codahale.metrics.MetricRegistry;
import io.authservice.audit.AuditEvent;
import io.authservice.audit.AuditEventTypes;
import io.authservice.audit.AuditLog;
import io.authservice.core.Caller;
import io.dropwizard.auth.Authenticator;

import java.time.Clock;
import java.util.Optional;

/**
 * Checks a presented access token (signature, claims, type; no database query) and turns it into
 * a {@link io.authservice.core.UserCaller}. A refused token is handed to the audit seam with its
 * true reason and counted in {@code auth.jwt.rejected.<reason>}; the caller sees the one 401.
 */
public final class JwtAuthenticator implements Authenticator<JwtCredentials, Caller> {
    private final JwtTokens tokens;
    private final AuditLog audit;
    private final Clock clock;
    private final String instanceId;
    private final MetricRegistry metrics;
    private final Meter accepted;

    public JwtAuthenticator(JwtTokens tokens, AuditLog audit, Clock clock, String instanceId, MetricRegistry metrics) {
        this.tokens = tokens;
        this.audit = audit;
        this.clock = clock;
        this.instanceId = instanceId;
        this.metrics = metrics;
        this.accepted = metrics.meter("auth.jwt.accepted");
    }

    @Override
    public Optional<Caller> authenticate(JwtCredentials credentials) {
        final JwtTokens.Check check = tokens.check(credentials.token(), JwtTokens.Kind.ACCESS);
        if (check instanceof JwtTokens.Valid valid) {
            accepted.mark();
            return Optional.of(JwtTokens.caller(valid));
        }
        final JwtTokens.Rejected rejected = (JwtTokens.Rejected) check;
        metrics.meter("auth.jwt.rejected." + rejected.reason()).mark();
        final Origin origin = credentials.origin();
        audit.record(origin.describe(AuditEvent.builder(AuditEventTypes.TOKEN_REJECTED, AuditEvent.FAILURE, clock.instant()))
                .reason(rejected.reason())
                .userId(rejected.userId())
                .status(401)
                .instanceId(instanceId)
                .build());
        return Optional.empty();
    }
}
