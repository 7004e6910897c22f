package io.authservice.audit;

import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.sqlobject.config.RegisterArgumentFactory;
import org.jdbi.v3.sqlobject.customizer.Bind;
import org.jdbi.v3.sqlobject.customizer.BindMethods;
import org.jdbi.v3.sqlobject.statement.SqlBatch;
import org.jdbi.v3.sqlobject.statement.SqlUpdate;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Keeps {@code audit_minute_counts}: how many events of each key, type, outcome and reason the store
 * holds for each minute (UTC). A {@link AuditStore.BatchStep}: it adds the events a batch newly stores
 * in that batch's transaction, so a duplicate is never counted and the counts commit or roll back with
 * the events. Charts read the counts instead of grouping millions of raw rows.
 *
 * <p>No key is stored as {@value #NO_KEY} and no reason as the empty string, so every part of the
 * row's primary key has a value and one upsert finds it on H2 and on PostgreSQL.
 */
public final class AuditMinuteCounts implements AuditStore.BatchStep {
    /** The {@code key_id} of events that name no key. */
    public static final long NO_KEY = 0;
    /** The {@code reason} of events that give none. */
    public static final String NO_REASON = "";

    /** The table's row for one minute, key, type, outcome and reason. */
    public record Count(Instant minute, long keyId, String type, String outcome, String reason, long events) {
    }

    /** The rows a batch adds to, in primary-key order: concurrent writers lock rows in one order and never deadlock. */
    static final Comparator<Count> KEY_ORDER = Comparator.comparing(Count::minute)
            .thenComparingLong(Count::keyId).thenComparing(Count::type).thenComparing(Count::outcome)
            .thenComparing(Count::reason);

    @Override
    public void stored(Handle handle, List<AuditEvent> inserted) {
        final List<Count> counts = countsOf(inserted);
        final Dao dao = handle.attach(Dao.class);
        if (AuditStore.isH2(handle)) {
            dao.addH2(counts);
        } else {
            dao.addPostgres(counts);
        }
    }

    /** The events' counts, one per minute, key, type, outcome and reason, in primary-key order. */
    static List<Count> countsOf(List<AuditEvent> events) {
        return countsOf(events, ChronoUnit.MINUTES);
    }

    /**
     * The events' counts, one per {@code unit} (the row's {@code minute} is the start of that minute or
     * hour), key, type, outcome and reason, in primary-key order.
     */
    static List<Count> countsOf(List<AuditEvent> events, ChronoUnit unit) {
        final Map<Count, long[]> sums = new TreeMap<>(KEY_ORDER);
        for (AuditEvent event : events) {
            final Count row = new Count(event.occurredAt().truncatedTo(unit),
                    event.keyId() == null ? NO_KEY : event.keyId(), event.type(), event.outcome(),
                    event.reason() == null ? NO_REASON : event.reason(), 0);
            sums.computeIfAbsent(row, r -> new long[1])[0]++;
        }
        return sums.entrySet().stream().map(e -> new Count(e.getKey().minute(), e.getKey().keyId(), e.getKey().type(),
                e.getKey().outcome(), e.getKey().reason(), e.getValue()[0])).toList();
    }

    /**
     * Deletes the counts of every whole minute before {@code cutoff}, the minutes whose events a purge
     * with that cutoff deletes; a minute the cutoff falls inside is kept (purge on whole minutes, as
     * {@link AuditPurger} does, and the counts stay equal to the events).
     *
     * @return how many count rows were deleted
     */
    public static int prune(Jdbi jdbi, Instant cutoff) {
        return jdbi.withExtension(Dao.class, dao -> dao.deleteMinutesUpTo(cutoff.minus(Duration.ofMinutes(1))));
    }

    private static final String COLUMNS = "minute_at, key_id, type, outcome, reason, events";

    @RegisterArgumentFactory(UtcInstantArgumentFactory.class)
    interface Dao {
        @SqlBatch("INSERT INTO audit_minute_counts (" + COLUMNS + ") VALUES (:minute, :keyId, :type, :outcome, :reason, :events)"
                + " ON CONFLICT (minute_at, key_id, type, outcome, reason)"
                + " DO UPDATE SET events = audit_minute_counts.events + EXCLUDED.events")
        int[] addPostgres(@BindMethods Collection<Count> counts);

        @SqlBatch("MERGE INTO audit_minute_counts t USING (VALUES (CAST(:minute AS TIMESTAMP WITH TIME ZONE),"
                + " CAST(:keyId AS BIGINT), CAST(:type AS VARCHAR(64)), CAST(:outcome AS VARCHAR(16)),"
                + " CAST(:reason AS VARCHAR(64)), CAST(:events AS BIGINT))) AS s (" + COLUMNS + ")"
                + " ON t.minute_at = s.minute_at AND t.key_id = s.key_id AND t.type = s.type AND t.outcome = s.outcome"
                + " AND t.reason = s.reason"
                + " WHEN MATCHED THEN UPDATE SET events = t.events + s.events"
                + " WHEN NOT MATCHED THEN INSERT (" + COLUMNS + ")"
                + " VALUES (s.minute_at, s.key_id, s.type, s.outcome, s.reason, s.events)")
        int[] addH2(@BindMethods Collection<Count> counts);

        @SqlUpdate("DELETE FROM audit_minute_counts WHERE minute_at <= :last")
        int deleteMinutesUpTo(@Bind("last") Instant last);
    }
}
