package io.authservice.auth;

import com.codahale.metrics.Counter;
import com.codahale.metrics.MetricRegistry;
import io.authservice.db.RefreshTokenDAO;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;

/**
 * Removes sign-ins whose refresh tokens can no longer be used: every token of the family expired
 * more than the accepted clock skew ago, so a token of theirs is refused for its {@code exp} before
 * the database is asked. Without this, {@code refresh_token_families} and {@code refresh_tokens}
 * grow by a row or more with every sign-in and refresh, forever. Run hourly by the service; several
 * instances doing it is repeated, harmless work. Metric: {@code auth.refresh-tokens.pruned}
 * (families removed).
 */
public final class RefreshTokenPruner {
    private static final Logger LOG = LoggerFactory.getLogger(RefreshTokenPruner.class);

    private final Jdbi jdbi;
    private final Clock clock;
    private final Duration clockSkew;
    private final Counter pruned;

    public RefreshTokenPruner(Jdbi jdbi, Clock clock, Duration clockSkew, MetricRegistry metrics) {
        this.jdbi = jdbi;
        this.clock = clock;
        this.clockSkew = clockSkew;
        this.pruned = metrics.counter("auth.refresh-tokens.pruned");
    }

    /** Deletes the spent sign-ins now; returns how many. */
    public int prune() {
        final int deleted = jdbi.withExtension(RefreshTokenDAO.class,
                dao -> dao.deleteSpentFamilies(clock.instant().minus(clockSkew)));
        pruned.inc(deleted);
        return deleted;
    }

    /** {@link #prune()} for a scheduler: a failure is logged, and the next run tries again. */
    public void pruneQuietly() {
        try {
            final int deleted = prune();
            if (deleted > 0) {
                LOG.info("removed {} expired sign-in(s) and their refresh tokens", deleted);
            }
        } catch (RuntimeException e) {
            LOG.warn("cannot remove expired refresh tokens; trying again at the next run", e);
        }
    }
}
