package io.authservice.health;

import com.codahale.metrics.health.HealthCheck;
import io.authservice.auth.ApiKeyCache;
import io.authservice.db.ChangeLogPoller;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Healthy while an in-process cache is in step with the database: its {@link ChangeLogPoller} has
 * read the change log recently (within a few poll intervals). Unhealthy means changes made through
 * other instances are not being seen here (answers may be stale until the cache's own expiry).
 */
public final class ChangeLogHealthCheck extends HealthCheck {
    private static final int TOLERATED_MISSED_POLLS = 5;

    private final ChangeLogPoller<?> poller;
    private final String log;
    private final String unseen;
    private final Map<String, Supplier<?>> details;

    /**
     * @param log     the change log, for messages ("key", "directory")
     * @param unseen  what is not seen while unhealthy ("key changes")
     * @param details further details of a healthy result, before {@code lastChangeLogReadMillisAgo}
     */
    private ChangeLogHealthCheck(ChangeLogPoller<?> poller, String log, String unseen, Map<String, Supplier<?>> details) {
        this.poller = poller;
        this.log = log;
        this.unseen = unseen;
        this.details = details;
    }

    /** {@code api-key-cache}: the revocation poller; details the cache's size. */
    public static ChangeLogHealthCheck keys(ChangeLogPoller<?> poller, ApiKeyCache cache) {
        return new ChangeLogHealthCheck(poller, "key", "key changes", Map.of("cachedKeys", cache::estimatedSize));
    }

    /** {@code directory-cache}: the directory's poller (users and employees). */
    public static ChangeLogHealthCheck directory(ChangeLogPoller<?> poller) {
        return new ChangeLogHealthCheck(poller, "directory", "changes to people", Map.of());
    }

    @Override
    protected Result check() {
        final Optional<Duration> age = poller.staleness();
        final Duration tolerated = poller.interval().multipliedBy(TOLERATED_MISSED_POLLS).plusSeconds(1);
        if (age.isEmpty()) {
            return Result.unhealthy("the %s change log has not been read yet", log);
        }
        final long millis = age.get().toMillis();
        if (age.get().compareTo(tolerated) > 0) {
            return Result.unhealthy("the %s change log was last read %d ms ago; %s made elsewhere are not seen",
                    log, millis, unseen);
        }
        final ResultBuilder healthy = Result.builder().healthy();
        details.forEach((name, value) -> healthy.withDetail(name, value.get()));
        return healthy.withDetail("lastChangeLogReadMillisAgo", millis).build();
    }
}
