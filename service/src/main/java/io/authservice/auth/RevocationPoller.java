package io.authservice.auth;

import io.authservice.db.ApiKeyDAO;
import io.dropwizard.lifecycle.Managed;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Keeps this instance's key cache in step with changes made through any instance. Every interval
 * it reads the hashes in {@code api_key_changes} stamped since its last look (by the database's
 * clock, minus an overlap for transactions that committed late) and drops them from the cache: a
 * deactivated, rotated or deleted key stops working here within about one interval, and requests
 * never query the database for it.
 */
public final class RevocationPoller implements Managed {
    private static final Logger LOG = LoggerFactory.getLogger(RevocationPoller.class);
    /** Change rows older than this are deleted; far longer than any cache entry lives. */
    private static final Duration CHANGE_LOG_RETENTION = Duration.ofDays(1);
    private static final Duration PRUNE_EVERY = Duration.ofHours(1);

    private final Jdbi jdbi;
    private final ApiKeyCache cache;
    private final Duration interval;
    private final Duration overlap;
    private final Clock clock;
    private final ScheduledExecutorService executor;

    private Instant since;
    private Instant lastPrune = Instant.MIN;
    private volatile Instant lastSuccess;

    public RevocationPoller(Jdbi jdbi, ApiKeyCache cache, Duration interval, Duration overlap, Clock clock,
                            ScheduledExecutorService executor) {
        this.jdbi = jdbi;
        this.cache = cache;
        this.interval = interval;
        this.overlap = overlap;
        this.clock = clock;
        this.executor = executor;
    }

    @Override
    public void start() {
        executor.scheduleWithFixedDelay(this::pollSafely, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public void stop() throws InterruptedException {
        executor.shutdownNow();
        if (!executor.awaitTermination(5, TimeUnit.SECONDS)) {
            LOG.warn("the revocation poller did not stop within 5 s");
        }
    }

    /** One look at the change log. Not thread-safe: called from the poller's single thread (or a test). */
    public void poll() {
        final List<String> changed = jdbi.withExtension(ApiKeyDAO.class, dao -> {
            final Instant databaseNow = dao.databaseNow();
            final List<String> hashes = since == null ? List.of() : dao.changedSince(since);
            since = databaseNow.minus(overlap);
            if (Duration.between(lastPrune, databaseNow).compareTo(PRUNE_EVERY) > 0) {
                dao.pruneChanges(databaseNow.minus(CHANGE_LOG_RETENTION));
                lastPrune = databaseNow;
            }
            return hashes;
        });
        if (!changed.isEmpty()) {
            cache.invalidate(changed);
        }
        lastSuccess = clock.instant();
    }

    /** When the change log was last read successfully, if ever. */
    public Optional<Instant> lastSuccess() {
        return Optional.ofNullable(lastSuccess);
    }

    public Duration interval() {
        return interval;
    }

    private void pollSafely() {
        try {
            poll();
        } catch (RuntimeException e) {
            LOG.warn("cannot read the API key change log; key changes made elsewhere are not seen until it can", e);
        }
    }
}
