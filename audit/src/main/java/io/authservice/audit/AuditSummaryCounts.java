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
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Keeps the counts the console's overview reads for weeks at a time, as {@link AuditMinuteCounts}
 * keeps the per-minute ones: a {@link AuditStore.BatchStep} adding the events a batch newly stores, in
 * that batch's transaction (a duplicate is never counted; the counts commit or roll back with the events).
 * <ul>
 *   <li>{@code audit_hour_counts}: events per hour (UTC) by key, type, outcome and reason, the per-minute
 *       counts rolled up (a week is some thousands of rows instead of half a million);</li>
 *   <li>{@code audit_day_failures}: failures per day (UTC) by client address;</li>
 *   <li>{@code audit_day_fingerprints}: rejected keys per day by fingerprint and client address
 *       ({@value #NO_ADDRESS} for none), with the first and last time of each.</li>
 * </ul>
 * Addresses and fingerprints are counted per day, not per hour: an attacker's addresses are many and
 * few repeat within an hour, so hourly rows would be nearly as many as the events.
 */
public final class AuditSummaryCounts implements AuditStore.BatchStep {
    /** The {@code client_address} of rejected keys that came with none. */
    public static final String NO_ADDRESS = "";

    /** One row of {@code audit_day_failures}. */
    public record AddressFailures(Instant day, String clientAddress, long events) {
    }

    /** One row of {@code audit_day_fingerprints}. */
    public record FingerprintAttempts(Instant day, String fingerprint, String clientAddress, long events,
                                      Instant firstAt, Instant lastAt) {
    }

    @Override
    public void stored(Handle handle, List<AuditEvent> inserted) {
        final Dao dao = handle.attach(Dao.class);
        final boolean h2 = AuditStore.isH2(handle);
        final List<AuditMinuteCounts.Count> hours = hourCountsOf(inserted);
        if (h2) {
            dao.addHoursH2(hours);
        } else {
            dao.addHoursPostgres(hours);
        }
        final List<AddressFailures> failures = failuresOf(inserted);
        if (!failures.isEmpty()) {
            if (h2) {
                dao.addFailuresH2(failures);
            } else {
                dao.addFailuresPostgres(failures);
            }
        }
        final List<FingerprintAttempts> fingerprints = fingerprintsOf(inserted);
        if (!fingerprints.isEmpty()) {
            if (h2) {
                dao.addFingerprintsH2(fingerprints);
            } else {
                dao.addFingerprintsPostgres(fingerprints);
            }
        }
    }

    /** The events' counts per hour, key, type, outcome and reason, in primary-key order (writers lock rows in one order). */
    static List<AuditMinuteCounts.Count> hourCountsOf(List<AuditEvent> events) {
        return AuditMinuteCounts.countsOf(events, ChronoUnit.HOURS);
    }

    /** Failures with a client address, per day and address, in primary-key order. */
    static List<AddressFailures> failuresOf(List<AuditEvent> events) {
        final Map<AddressFailures, long[]> sums = new TreeMap<>(Comparator.comparing(AddressFailures::day)
                .thenComparing(AddressFailures::clientAddress));
        for (AuditEvent event : events) {
            if (AuditEvent.FAILURE.equals(event.outcome()) && event.clientAddress() != null) {
                sums.computeIfAbsent(new AddressFailures(dayOf(event.occurredAt()), event.clientAddress(), 0),
                        r -> new long[1])[0]++;
            }
        }
        return sums.entrySet().stream()
                .map(e -> new AddressFailures(e.getKey().day(), e.getKey().clientAddress(), e.getValue()[0])).toList();
    }

    /** Whether the event is one {@code audit_day_fingerprints} counts: a rejected key that left a fingerprint. */
    public static boolean isFingerprinted(AuditEvent event) {
        return AuditEventTypes.API_KEY_REJECTED.equals(event.type()) && AuditEvent.FAILURE.equals(event.outcome())
                && event.fingerprint() != null;
    }

    /** Rejected keys with a fingerprint, per day, fingerprint and address, in primary-key order. */
    static List<FingerprintAttempts> fingerprintsOf(List<AuditEvent> events) {
        final Map<FingerprintAttempts, FingerprintAttempts> rows = new TreeMap<>(Comparator.comparing(FingerprintAttempts::day)
                .thenComparing(FingerprintAttempts::fingerprint).thenComparing(FingerprintAttempts::clientAddress));
        for (AuditEvent event : events) {
            if (isFingerprinted(event)) {
                final Instant at = event.occurredAt();
                final FingerprintAttempts one = new FingerprintAttempts(dayOf(at), event.fingerprint(),
                        event.clientAddress() == null ? NO_ADDRESS : event.clientAddress(), 1, at, at);
                rows.merge(one, one, (a, b) -> new FingerprintAttempts(a.day(), a.fingerprint(), a.clientAddress(),
                        a.events() + b.events(), min(a.firstAt(), b.firstAt()), max(a.lastAt(), b.lastAt())));
            }
        }
        return new ArrayList<>(rows.values());
    }

    /** The start of the event's day, UTC. */
    public static Instant dayOf(Instant at) {
        return at.truncatedTo(ChronoUnit.DAYS);
    }

    /**
     * After a purge with {@code cutoff} (on a whole minute, after {@link AuditMinuteCounts#prune}): deletes
     * the counts of the hours and days before the cutoff's, and counts the hour and the day the cutoff falls
     * inside again from what stays (the per-minute counts, the events from the cutoff on), so the counts
     * stay equal to the events. Each in its own transaction.
     */
    public static void prune(Jdbi jdbi, Instant cutoff) {
        final Instant hour = cutoff.truncatedTo(ChronoUnit.HOURS);
        final Instant day = dayOf(cutoff);
        jdbi.useTransaction(handle -> {
            final Dao dao = handle.attach(Dao.class);
            dao.deleteHoursBefore(hour);
            if (!hour.equals(cutoff)) {
                dao.deleteHour(hour);
                dao.recountHour(hour, hour.plus(Duration.ofHours(1)));
            }
        });
        jdbi.useTransaction(handle -> {
            final Dao dao = handle.attach(Dao.class);
            dao.deleteFailureDaysBefore(day);
            dao.deleteFingerprintDaysBefore(day);
            if (!day.equals(cutoff)) {
                final Instant end = day.plus(Duration.ofDays(1));
                dao.deleteFailureDay(day);
                dao.recountFailureDay(day, cutoff, end);
                dao.deleteFingerprintDay(day);
                dao.recountFingerprintDay(day, cutoff, end);
            }
        });
    }

    private static Instant min(Instant a, Instant b) {
        return a.isBefore(b) ? a : b;
    }

    private static Instant max(Instant a, Instant b) {
        return a.isAfter(b) ? a : b;
    }

    private static final String HOUR_COLUMNS = "hour_at, key_id, type, outcome, reason, events";
    private static final String FINGERPRINT_COLUMNS = "day_at, fingerprint, client_address, events, first_at, last_at";

    @RegisterArgumentFactory(UtcInstantArgumentFactory.class)
    interface Dao {
        @SqlBatch("INSERT INTO audit_hour_counts (" + HOUR_COLUMNS + ") VALUES (:minute, :keyId, :type, :outcome, :reason, :events)"
                + " ON CONFLICT (hour_at, key_id, type, outcome, reason)"
                + " DO UPDATE SET events = audit_hour_counts.events + EXCLUDED.events")
        int[] addHoursPostgres(@BindMethods Collection<AuditMinuteCounts.Count> counts);

        @SqlBatch("MERGE INTO audit_hour_counts t USING (VALUES (CAST(:minute AS TIMESTAMP WITH TIME ZONE),"
                + " CAST(:keyId AS BIGINT), CAST(:type AS VARCHAR(64)), CAST(:outcome AS VARCHAR(16)),"
                + " CAST(:reason AS VARCHAR(64)), CAST(:events AS BIGINT))) AS s (" + HOUR_COLUMNS + ")"
                + " ON t.hour_at = s.hour_at AND t.key_id = s.key_id AND t.type = s.type AND t.outcome = s.outcome"
                + " AND t.reason = s.reason"
                + " WHEN MATCHED THEN UPDATE SET events = t.events + s.events"
                + " WHEN NOT MATCHED THEN INSERT (" + HOUR_COLUMNS + ")"
                + " VALUES (s.hour_at, s.key_id, s.type, s.outcome, s.reason, s.events)")
        int[] addHoursH2(@BindMethods Collection<AuditMinuteCounts.Count> counts);

        @SqlBatch("INSERT INTO audit_day_failures (day_at, client_address, events) VALUES (:day, :clientAddress, :events)"
                + " ON CONFLICT (day_at, client_address) DO UPDATE SET events = audit_day_failures.events + EXCLUDED.events")
        int[] addFailuresPostgres(@BindMethods Collection<AddressFailures> rows);

        @SqlBatch("MERGE INTO audit_day_failures t USING (VALUES (CAST(:day AS TIMESTAMP WITH TIME ZONE),"
                + " CAST(:clientAddress AS VARCHAR(64)), CAST(:events AS BIGINT))) AS s (day_at, client_address, events)"
                + " ON t.day_at = s.day_at AND t.client_address = s.client_address"
                + " WHEN MATCHED THEN UPDATE SET events = t.events + s.events"
                + " WHEN NOT MATCHED THEN INSERT (day_at, client_address, events) VALUES (s.day_at, s.client_address, s.events)")
        int[] addFailuresH2(@BindMethods Collection<AddressFailures> rows);

        @SqlBatch("INSERT INTO audit_day_fingerprints (" + FINGERPRINT_COLUMNS + ")"
                + " VALUES (:day, :fingerprint, :clientAddress, :events, :firstAt, :lastAt)"
                + " ON CONFLICT (day_at, fingerprint, client_address) DO UPDATE SET"
                + " events = audit_day_fingerprints.events + EXCLUDED.events,"
                + " first_at = LEAST(audit_day_fingerprints.first_at, EXCLUDED.first_at),"
                + " last_at = GREATEST(audit_day_fingerprints.last_at, EXCLUDED.last_at)")
        int[] addFingerprintsPostgres(@BindMethods Collection<FingerprintAttempts> rows);

        @SqlBatch("MERGE INTO audit_day_fingerprints t USING (VALUES (CAST(:day AS TIMESTAMP WITH TIME ZONE),"
                + " CAST(:fingerprint AS VARCHAR(128)), CAST(:clientAddress AS VARCHAR(64)), CAST(:events AS BIGINT),"
                + " CAST(:firstAt AS TIMESTAMP WITH TIME ZONE), CAST(:lastAt AS TIMESTAMP WITH TIME ZONE)))"
                + " AS s (" + FINGERPRINT_COLUMNS + ")"
                + " ON t.day_at = s.day_at AND t.fingerprint = s.fingerprint AND t.client_address = s.client_address"
                + " WHEN MATCHED THEN UPDATE SET events = t.events + s.events, first_at = LEAST(t.first_at, s.first_at),"
                + " last_at = GREATEST(t.last_at, s.last_at)"
                + " WHEN NOT MATCHED THEN INSERT (" + FINGERPRINT_COLUMNS + ")"
                + " VALUES (s.day_at, s.fingerprint, s.client_address, s.events, s.first_at, s.last_at)")
        int[] addFingerprintsH2(@BindMethods Collection<FingerprintAttempts> rows);

        @SqlUpdate("DELETE FROM audit_hour_counts WHERE hour_at < :hour")
        int deleteHoursBefore(@Bind("hour") Instant hour);

        @SqlUpdate("DELETE FROM audit_hour_counts WHERE hour_at = :hour")
        int deleteHour(@Bind("hour") Instant hour);

        @SqlUpdate("INSERT INTO audit_hour_counts (" + HOUR_COLUMNS + ") SELECT :hour, key_id, type, outcome, reason,"
                + " SUM(events) FROM audit_minute_counts WHERE minute_at >= :hour AND minute_at < :end"
                + " GROUP BY key_id, type, outcome, reason")
        int recountHour(@Bind("hour") Instant hour, @Bind("end") Instant end);

        @SqlUpdate("DELETE FROM audit_day_failures WHERE day_at < :day")
        int deleteFailureDaysBefore(@Bind("day") Instant day);

        @SqlUpdate("DELETE FROM audit_day_failures WHERE day_at = :day")
        int deleteFailureDay(@Bind("day") Instant day);

        @SqlUpdate("INSERT INTO audit_day_failures (day_at, client_address, events) SELECT :day, client_address, COUNT(*)"
                + " FROM audit_events WHERE occurred_at >= :from AND occurred_at < :end AND outcome = 'failure'"
                + " AND client_address IS NOT NULL GROUP BY client_address")
        int recountFailureDay(@Bind("day") Instant day, @Bind("from") Instant from, @Bind("end") Instant end);

        @SqlUpdate("DELETE FROM audit_day_fingerprints WHERE day_at < :day")
        int deleteFingerprintDaysBefore(@Bind("day") Instant day);

        @SqlUpdate("DELETE FROM audit_day_fingerprints WHERE day_at = :day")
        int deleteFingerprintDay(@Bind("day") Instant day);

        @SqlUpdate("INSERT INTO audit_day_fingerprints (" + FINGERPRINT_COLUMNS + ") SELECT :day, fingerprint,"
                + " COALESCE(client_address, ''), COUNT(*), MIN(occurred_at), MAX(occurred_at) FROM audit_events"
                + " WHERE occurred_at >= :from AND occurred_at < :end AND type = 'api_key.rejected' AND outcome = 'failure'"
                + " AND fingerprint IS NOT NULL GROUP BY fingerprint, COALESCE(client_address, '')")
        int recountFingerprintDay(@Bind("day") Instant day, @Bind("from") Instant from, @Bind("end") Instant end);
    }
}
