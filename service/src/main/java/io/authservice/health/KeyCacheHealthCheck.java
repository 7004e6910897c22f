package io.authservice.health;

import com.codahale.metrics.health.HealthCheck;
import io.authservice.auth.ApiKeyCache;
import io.authservice.auth.RevocationPoller;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * Healthy while the key cache is in step with the database: the revocation poller has read the
 * change log recently (within a few poll intervals). Unhealthy means key changes made through other
 * instances are not being seen here.
 */
public final class KeyCacheHealthCheck extends HealthCheck {
    private static final int TOLERATED_MISSED_POLLS = 5;

    private final RevocationPoller poller;
    private final ApiKeyCache cache;
    private final Clock clock;

    public KeyCacheHealthCheck(RevocationPoller poller, ApiKeyCache cache, Clock clock) {
        this.poller = poller;
        this.cache = cache;
        this.clock = clock;
    }

    @Override
    protected Result check() {
        final Optional<Instant> last = poller.lastSuccess();
        final Duration tolerated = poller.interval().multipliedBy(TOLERATED_MISSED_POLLS).plusSeconds(1);
        if (last.isEmpty()) {
            return Result.unhealthy("the key change log has not been read yet");
        }
        final Duration age = Duration.between(last.get(), clock.instant());
        if (age.compareTo(tolerated) > 0) {
            return Result.unhealthy("the key change log was last read %d ms ago; key changes made elsewhere are not seen",
                    age.toMillis());
        }
        return Result.builder().healthy()
                .withDetail("cachedKeys", cache.estimatedSize())
                .withDetail("lastChangeLogReadMillisAgo", age.toMillis())
                .build();
    }
}
