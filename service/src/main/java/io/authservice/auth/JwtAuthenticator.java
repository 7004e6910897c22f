package io.authservice.auth;

import com.codahale.metrics.Meter;
import com.codahale.metrics.MetricRegistry;

/**
 * Checks a presented access token (signature, claims, type; no database query) and says what it
 * came to, a {@link JwtOutcome}: the {@link io.authservice.core.UserCaller}, or the true reason of the
 * rejection, counted in {@code auth.jwt.rejected.<reason>} ({@code auth.jwt.accepted} otherwise).
 */
public final class JwtAuthenticator {
    private final JwtTokens tokens;
    private final MetricRegistry metrics;
    private final Meter accepted;

    public JwtAuthenticator(JwtTokens tokens, MetricRegistry metrics) {
        this.tokens = tokens;
        this.metrics = metrics;
        this.accepted = metrics.meter("auth.jwt.accepted");
    }

    /** @param token the presented access token: a secret, never logged, stored or passed on */
    public JwtOutcome authenticate(String token, Origin origin) {
        final JwtTokens.Check check = tokens.check(token, JwtTokens.Kind.ACCESS);
        if (check instanceof JwtTokens.Valid valid) {
            accepted.mark();
            return new JwtOutcome.Accepted(JwtTokens.caller(valid));
        }
        final JwtTokens.Rejected rejected = (JwtTokens.Rejected) check;
        metrics.meter("auth.jwt.rejected." + rejected.reason()).mark();
        return new JwtOutcome.Rejected(origin, rejected.reason(), rejected.userId());
    }
}
