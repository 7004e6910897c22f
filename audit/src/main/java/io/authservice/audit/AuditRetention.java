package io.authservice.audit;

import io.dropwizard.lifecycle.Managed;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Keeps the audit store to its retention period: once a day, and shortly after start, deletes the
 * events and dead letters older than {@code retentionDays}. Run by the process that writes the
 * store (the service with the {@code direct} sink, the audit-consumer), so nobody has to remember a
 * cron job; with {@code retentionDays} 0 it never deletes anything.
 *
 * <p>"Once a day" is judged by the injected {@link Clock}, checked every {@code checkInterval}, so
 * a test moves the clock instead of waiting a day, and a host that slept catches up on waking.
 * Several processes on one store each purge daily; the deletes do not conflict.
 */
public final class AuditRetention implements Managed {
    public static final int DEFAULT_DAYS = 365;
    /** How often a purge runs. */
    public static final Duration PERIOD = Duration.ofDays(1);
    /** The first check comes no later than this after start. */
    static final Duration MAX_FIRST_DELAY = Duration.ofMinutes(1);
    private static final Logger LOG = LoggerFactory.getLogger(AuditRetention.class);

    private final AuditPurger purger;
    private final int retentionDays;
    private final Clock clock;
    private final ScheduledExecutorService executor;
    private final Duration checkInterval;
    /** When the last purge finished; touched only by the executor's one thread (or a test calling {@link #check()}). */
    private volatile Instant lastPurge;

    /**
     * @param executor      runs the checks; stopped (interrupting a purge between batches) by {@link #stop()}
     * @param checkInterval how often to look whether a purge is due
     */
    public AuditRetention(AuditPurger purger, int retentionDays, Clock clock, ScheduledExecutorService executor,
                          Duration checkInterval) {
        if (retentionDays < 0) {
            throw new IllegalArgumentException("retentionDays must be 0 (keep forever) or more");
        }
        this.purger = Objects.requireNonNull(purger, "purger");
        this.retentionDays = retentionDays;
        this.clock = Objects.requireNonNull(clock, "clock");
        this.executor = Objects.requireNonNull(executor, "executor");
        this.checkInterval = Objects.requireNonNull(checkInterval, "checkInterval");
    }

    @Override
    public void start() {
        if (retentionDays == 0) {
            LOG.info("Audit retention is off (retentionDays 0): events are kept forever");
            return;
        }
        final long first = Math.min(checkInterval.toMillis(), MAX_FIRST_DELAY.toMillis());
        executor.scheduleWithFixedDelay(this::checkQuietly, first, checkInterval.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public void stop() {
        executor.shutdownNow();
    }

    /**
     * Purges when retention is on and no purge has finished in the last {@link #PERIOD} (or none
     * has yet); answers what it purged, or empty when nothing was due.
     */
    public Optional<AuditPurger.Result> check() {
        final Instant now = clock.instant();
        if (retentionDays == 0 || (lastPurge != null && now.isBefore(lastPurge.plus(PERIOD)))) {
            return Optional.empty();
        }
        final AuditPurger.Result result = purger.purge(retentionDays, false);
        lastPurge = now;
        return Optional.of(result);
    }

    private void checkQuietly() {
        try {
            check();
        } catch (RuntimeException e) {
            // a scheduled task that throws is never run again; the next check retries
            LOG.warn("Audit retention purge failed; retrying in {}: {}", checkInterval, e.toString());
        }
    }
}
