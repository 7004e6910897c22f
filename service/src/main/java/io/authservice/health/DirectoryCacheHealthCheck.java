package io.authservice.health;

import com.codahale.metrics.health.HealthCheck;
import io.authservice.db.ChangeLogPoller;

import java.time.Duration;
import java.util.Optional;

/**
 * Healthy while the directory cache is in step with the database: its change log was read recently
 * (within a few poll intervals). Unhealthy means changes to users and employees made through other
 * instances are not being seen here (answers may be stale until the cache's own expiry).
 */
public final class DirectoryCacheHealthCheck extends HealthCheck {
    private static final int TOLERATED_MISSED_POLLS = 5;

    private final ChangeLogPoller<?> poller;

    public DirectoryCacheHealthCheck(ChangeLogPoller<?> poller) {
        this.poller = poller;
    }

    @Override
    protected Result check() {
        final Optional<Duration> age = poller.staleness();
        final Duration tolerated = poller.interval().multipliedBy(TOLERATED_MISSED_POLLS).plusSeconds(1);
        if (age.isEmpty()) {
            return Result.unhealthy("the directory change log has not been read yet");
        }
        if (age.get().compareTo(tolerated) > 0) {
            return Result.unhealthy("the directory change log was last read %d ms ago; changes to people made elsewhere "
                    + "are not seen", age.get().toMillis());
        }
        return Result.builder().healthy().withDetail("lastChangeLogReadMillisAgo", age.get().toMillis()).build();
    }
}
