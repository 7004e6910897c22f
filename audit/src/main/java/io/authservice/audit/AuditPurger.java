package io.authservice.audit;

import com.codahale.metrics.Counter;
import com.codahale.metrics.MetricRegistry;
import io.authservice.audit.seal.SealedRetention;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Objects;

/**
 * Deletes what is older than a number of days from the audit store (events and dead letters), in
 * bounded batches, and counts it in {@code audit.purged} and {@code audit.purged-dead-letters}. The
 * one place a purge happens: the daily {@link AuditRetention} job, the service's
 * {@code purge-audit-events} task and its command all call it.
 */
public final class AuditPurger {
    /** Rows per delete statement (and transaction). */
    public static final int BATCH_SIZE = 5_000;
    public static final String PURGED_METRIC = "audit.purged";
    public static final String PURGED_DEAD_LETTERS_METRIC = "audit.purged-dead-letters";
    private static final Logger LOG = LoggerFactory.getLogger(AuditPurger.class);

    private final AuditStore store;
    private final SealedRetention sealed;
    private final Clock clock;
    private final int batchSize;
    private final Counter purged;
    private final Counter purgedDeadLetters;

    public AuditPurger(AuditStore store, Clock clock, MetricRegistry metrics) {
        this(store, clock, metrics, BATCH_SIZE);
    }

    /** @param batchSize rows per delete statement (tests make it small to see several batches) */
    public AuditPurger(AuditStore store, Clock clock, MetricRegistry metrics, int batchSize) {
        this(store, null, clock, metrics, batchSize);
    }

    /**
     * @param sealed null: the sealed trail is off, and every event older than the cutoff goes; else
     *               whole sealed batches go with a signed purge record per chain, and of the events no
     *               sealed batch holds, those older than the cutoff
     */
    public AuditPurger(AuditStore store, SealedRetention sealed, Clock clock, MetricRegistry metrics, int batchSize) {
        this.store = Objects.requireNonNull(store, "store");
        this.sealed = sealed;
        this.clock = Objects.requireNonNull(clock, "clock");
        this.batchSize = batchSize;
        this.purged = metrics.counter(PURGED_METRIC);
        this.purgedDeadLetters = metrics.counter(PURGED_DEAD_LETTERS_METRIC);
    }

    /**
     * What a purge did (or, in a dry run, would do).
     *
     * @param cutoff      everything that occurred (or was received) before this instant
     * @param events      events deleted, or found in a dry run
     * @param deadLetters dead letters deleted, or found in a dry run
     */
    public record Result(int olderThanDays, Instant cutoff, boolean dryRun, long events, long deadLetters) {
    }

    /**
     * Deletes the events and dead letters older than {@code olderThanDays} days before now (the cutoff
     * rounded down to a whole minute), and the per-minute counts of those minutes; with
     * {@code dryRun}, only counts them.
     */
    public Result purge(int olderThanDays, boolean dryRun) {
        if (olderThanDays < 1) {
            throw new IllegalArgumentException("olderThanDays must be at least 1");
        }
        // on a whole minute, so the per-minute counts lose exactly the minutes whose events go
        final Instant cutoff = clock.instant().minus(Duration.ofDays(olderThanDays)).truncatedTo(ChronoUnit.MINUTES);
        if (dryRun) {
            final AuditStore.Purged found = sealed == null ? store.countOlderThan(cutoff)
                    : store.countOlderThan(cutoff, sealed.count(cutoff).kept());
            return new Result(olderThanDays, cutoff, true, found.events(), found.deadLetters());
        }
        final AuditStore.Purged deleted;
        if (sealed == null) {
            deleted = store.purgeOlderThan(cutoff, batchSize);
        } else {
            final SealedRetention.Result batches = sealed.purge(cutoff, batchSize);
            final AuditStore.Purged unsealed = store.purgeOlderThan(cutoff, batchSize, batches.kept());
            deleted = new AuditStore.Purged(batches.events() + unsealed.events(), unsealed.deadLetters());
        }
        purged.inc(deleted.events());
        purgedDeadLetters.inc(deleted.deadLetters());
        if (deleted.events() > 0 || deleted.deadLetters() > 0) {
            LOG.info("Purged {} audit events and {} dead letters older than {} days (before {})",
                    deleted.events(), deleted.deadLetters(), olderThanDays, cutoff);
        }
        return new Result(olderThanDays, cutoff, false, deleted.events(), deleted.deadLetters());
    }
}
