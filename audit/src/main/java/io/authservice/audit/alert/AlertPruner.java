package io.authservice.audit.alert;

import com.codahale.metrics.Counter;
import com.codahale.metrics.MetricRegistry;
import io.authservice.audit.UtcInstantArgumentFactory;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.PreparedBatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Objects;
import java.util.function.BiConsumer;
import java.util.function.Function;

/**
 * Deletes the alert state no rule can need any more, in bounded batches (each its own short transaction):
 * <ul>
 *   <li>{@code audit_alert_counts}: the failure-burst windows that ended more than {@code lateness} ago (an
 *       event that late is not counted in its window any more);</li>
 *   <li>{@code audit_alert_marks}: a key's last use and its address ranges last seen more than the
 *       new-address-range rule's {@code days} plus {@code lateness} ago: the rule treats such a mark as
 *       absent, so removing it changes no verdict. The retired-key marks stay: one per retired key (and the
 *       fingerprint it was presented with), needed for as long as the key may be tried;</li>
 *   <li>{@code audit_alerts}: the delivered alerts delivered more than {@code keepDelivered} ago. An alert
 *       not yet delivered is never deleted.</li>
 * </ul>
 * Counted in {@value #PRUNED_COUNTS_METRIC}, {@value #PRUNED_MARKS_METRIC} and {@value #PRUNED_ALERTS_METRIC}.
 * Run by the delivery worker ({@link AlertWorker}) once per {@code interval} of the injected clock.
 */
public final class AlertPruner {
    public static final String PRUNED_COUNTS_METRIC = "alerts.pruned-counts";
    public static final String PRUNED_MARKS_METRIC = "alerts.pruned-marks";
    public static final String PRUNED_ALERTS_METRIC = "alerts.pruned-alerts";
    private static final Logger LOG = LoggerFactory.getLogger(AlertPruner.class);

    private final Jdbi jdbi;
    private final AlertConfig config;
    private final Clock clock;
    private final Counter prunedCounts;
    private final Counter prunedMarks;
    private final Counter prunedAlerts;
    /** When the last prune finished; touched only by the worker's one thread (or a test). */
    private volatile Instant lastPrune;

    public AlertPruner(Jdbi jdbi, AlertConfig config, Clock clock, MetricRegistry metrics) {
        this.jdbi = Objects.requireNonNull(jdbi, "jdbi");
        this.config = Objects.requireNonNull(config, "config");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.prunedCounts = metrics.counter(PRUNED_COUNTS_METRIC);
        this.prunedMarks = metrics.counter(PRUNED_MARKS_METRIC);
        this.prunedAlerts = metrics.counter(PRUNED_ALERTS_METRIC);
    }

    /** Rows one prune deleted. */
    public record Result(long counts, long marks, long alerts) {
        static final Result NONE = new Result(0, 0, 0);
    }

    /** Prunes when pruning is on and no prune has run within its {@code interval} (or none has yet). */
    public Result pruneIfDue() {
        final AlertConfig.Pruning pruning = config.getPruning();
        final Instant now = clock.instant();
        if (!pruning.isEnabled() || (lastPrune != null && now.isBefore(lastPrune.plus(pruning.getInterval().toJavaDuration())))) {
            return Result.NONE;
        }
        final Result result = prune();
        lastPrune = now;
        return result;
    }

    /** Deletes what no rule can need any more, as of the clock's now. */
    public Result prune() {
        final AlertConfig.Pruning pruning = config.getPruning();
        final Instant now = clock.instant();
        final Duration lateness = pruning.getLateness().toJavaDuration();
        final int batch = pruning.getBatchSize();

        // a window [start, start + length) can take no event any more once start + length + lateness has passed
        final Instant windows = now.minus(lateness).minus(config.getFailureBurst().getWindow().toJavaDuration());
        final long counts = deleteInBatches(batch,
                h -> h.createQuery("SELECT subject, window_start FROM audit_alert_counts WHERE rule = :rule AND window_start < :cutoff"
                                + " ORDER BY window_start, subject LIMIT :limit")
                        .registerArgument(new UtcInstantArgumentFactory())
                        .bind("rule", AlertRules.FAILURE_BURST).bind("cutoff", windows).bind("limit", batch)
                        .map((rs, ctx) -> new Object[]{rs.getString(1), rs.getObject(2, OffsetDateTime.class).toInstant()}).list(),
                "DELETE FROM audit_alert_counts WHERE rule = :rule AND subject = :subject AND window_start = :start",
                (b, row) -> b.bind("rule", AlertRules.FAILURE_BURST).bind("subject", row[0]).bind("start", row[1]));

        // a mark last seen before (use - days) counts as absent for a use; the oldest use still to come is now - lateness
        final Instant marks = now.minus(lateness).minus(Duration.ofDays(config.getNewAddressRange().getDays()));
        long markRows = 0;
        for (String rule : List.of(AlertRules.MARK_KEY_SEEN, AlertRules.MARK_KEY_RANGE)) {
            markRows += deleteInBatches(batch,
                    h -> h.createQuery("SELECT subject FROM audit_alert_marks WHERE rule = :rule AND last_at < :cutoff"
                                    + " ORDER BY subject LIMIT :limit")
                            .registerArgument(new UtcInstantArgumentFactory())
                            .bind("rule", rule).bind("cutoff", marks).bind("limit", batch)
                            .map((rs, ctx) -> new Object[]{rs.getString(1)}).list(),
                    // last_at again: a writer may have just seen the key there
                    "DELETE FROM audit_alert_marks WHERE rule = :rule AND subject = :subject AND last_at < :cutoff",
                    (b, row) -> b.bind("rule", rule).bind("subject", row[0]).bind("cutoff", marks));
        }

        final Instant delivered = now.minus(pruning.getKeepDelivered().toJavaDuration());
        final long alerts = deleteInBatches(batch,
                h -> h.createQuery("SELECT id FROM audit_alerts WHERE delivered_at IS NOT NULL AND delivered_at < :cutoff"
                                + " ORDER BY delivered_at, id LIMIT :limit")
                        .registerArgument(new UtcInstantArgumentFactory())
                        .bind("cutoff", delivered).bind("limit", batch)
                        .map((rs, ctx) -> new Object[]{rs.getObject(1, java.util.UUID.class)}).list(),
                "DELETE FROM audit_alerts WHERE id = :id AND delivered_at IS NOT NULL",
                (b, row) -> b.bind("id", row[0]));

        prunedCounts.inc(counts);
        prunedMarks.inc(markRows);
        prunedAlerts.inc(alerts);
        if (counts + markRows + alerts > 0) {
            LOG.info("Pruned alert state: {} window counts, {} marks, {} delivered alerts", counts, markRows, alerts);
        }
        return new Result(counts, markRows, alerts);
    }

    /**
     * Selects a page of at most {@code batch} rows and deletes them by key, in one transaction, until a page
     * is short or deletes nothing; stops between batches when the thread is interrupted (the application stops).
     */
    private long deleteInBatches(int batch, Function<Handle, List<Object[]>> page, String delete,
                                 BiConsumer<PreparedBatch, Object[]> bind) {
        long deleted = 0;
        while (!Thread.currentThread().isInterrupted()) {
            final long[] step = jdbi.inTransaction(h -> {
                final List<Object[]> rows = page.apply(h);
                if (rows.isEmpty()) {
                    return new long[]{0, 0};
                }
                final PreparedBatch statements = h.prepareBatch(delete).registerArgument(new UtcInstantArgumentFactory());
                rows.forEach(row -> {
                    bind.accept(statements, row);
                    statements.add();
                });
                long n = 0;
                for (int count : statements.execute()) {
                    n += Math.max(count, 0);
                }
                return new long[]{rows.size(), n};
            });
            deleted += step[1];
            if (step[0] < batch || step[1] == 0) {
                break;
            }
        }
        return deleted;
    }
}
