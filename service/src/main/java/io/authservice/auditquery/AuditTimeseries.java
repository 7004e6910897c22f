package io.authservice.auditquery;

import io.authservice.api.AuditSeries;
import io.authservice.audit.AuditMinuteCounts;
import io.authservice.core.InvalidInputException;
import io.authservice.core.Text;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.Query;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Counts of audit events over time, in buckets aligned to the epoch (UTC: a day bucket runs from
 * midnight to midnight UTC), optionally one series per outcome, type or reason. Read from the
 * per-minute counts ({@code audit_minute_counts}, which {@link AuditMinuteCounts} keeps), or for buckets
 * of whole hours the hourly ones ({@code audit_hour_counts}, {@link io.authservice.audit.AuditSummaryCounts}),
 * when every filter is one the counts hold (type, outcome, reason, key_id); otherwise grouped from the events.
 */
public final class AuditTimeseries {
    /** Most buckets one answer holds: a week of minutes. */
    public static final int MAX_BUCKETS = 7 * 24 * 60;
    /** The filters the per-minute counts can answer. */
    public static final Set<String> COUNTED_FILTERS = Set.of("type", "outcome", "reason", "key_id");
    private static final long HOUR = 3600;

    /** A bucket width the API accepts. */
    public enum Bucket {
        ONE_MINUTE("1m", Duration.ofMinutes(1)),
        FIVE_MINUTES("5m", Duration.ofMinutes(5)),
        ONE_HOUR("1h", Duration.ofHours(1)),
        ONE_DAY("1d", Duration.ofDays(1));

        private final String wireName;
        private final Duration width;

        Bucket(String wireName, Duration width) {
            this.wireName = wireName;
            this.width = width;
        }

        public String wireName() {
            return wireName;
        }

        public Duration width() {
            return width;
        }

        public static Bucket parse(String value) {
            for (Bucket bucket : values()) {
                if (bucket.wireName.equals(value)) {
                    return bucket;
                }
            }
            throw new InvalidInputException("'bucket': '" + Text.printable(value) + "' is not one of "
                    + Arrays.stream(values()).map(Bucket::wireName).collect(Collectors.joining(", ")));
        }
    }

    /** What the series are split by; each is a column of both the events and the counts. */
    public enum GroupBy {
        OUTCOME("outcome"), TYPE("type"), REASON("reason");

        private final String column;

        GroupBy(String column) {
            this.column = column;
        }

        public String wireName() {
            return column;
        }

        public static GroupBy parse(String value) {
            for (GroupBy group : values()) {
                if (group.column.equals(value)) {
                    return group;
                }
            }
            throw new InvalidInputException("'group_by': '" + Text.printable(value) + "' is not one of outcome, type, reason");
        }
    }

    private final Jdbi jdbi;

    public AuditTimeseries(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    /**
     * @param filters column to the value it must equal (names from {@link AuditQuery#FILTERS})
     * @param groupBy null for one series of every event
     */
    public AuditSeries series(Instant from, Instant to, Bucket bucket, GroupBy groupBy, Map<String, Object> filters) {
        final long width = bucket.width().toSeconds();
        final long first = Math.floorDiv(from.getEpochSecond(), width);
        final long end = -Math.floorDiv(-(to.getEpochSecond() + (to.getNano() > 0 ? 1 : 0)), width);
        final long n = end - first;
        if (n > MAX_BUCKETS) {
            throw new InvalidInputException("from 'from' to 'to' is " + n + " buckets of " + bucket.wireName()
                    + "; at most " + MAX_BUCKETS + ": choose a wider bucket or a shorter range");
        }
        final boolean counted = COUNTED_FILTERS.containsAll(filters.keySet());
        // buckets of whole hours (aligned to the epoch, so on whole hours) read the hourly counts
        final boolean hourly = counted && width % HOUR == 0;
        final String table = hourly ? "audit_hour_counts" : counted ? "audit_minute_counts" : "audit_events";
        final String time = hourly ? "hour_at" : counted ? "minute_at" : "occurred_at";
        final String group = groupBy == null ? "'all'" : counted ? groupBy.column : "COALESCE(" + groupBy.column + ", '')";
        final StringBuilder sql = new StringBuilder("SELECT b, g, SUM(n) AS n FROM (SELECT CAST(FLOOR(EXTRACT(EPOCH FROM ")
                .append(time).append(") / ").append(width).append(") AS BIGINT) AS b, ").append(group).append(" AS g, ")
                .append(counted ? "events" : "1").append(" AS n FROM ").append(table).append(" WHERE ")
                .append(time).append(" >= :from AND ").append(time).append(" < :to");
        // names come from AuditQuery.FILTERS only, never from the request
        for (String column : filters.keySet()) {
            sql.append(" AND ").append(column).append(" = :").append(column);
        }
        sql.append(") t GROUP BY b, g");
        final Instant start = Instant.ofEpochSecond(first * width);
        final Instant stop = Instant.ofEpochSecond(end * width);
        final List<Row> rows = jdbi.withHandle(handle -> {
            final Query query = handle.createQuery(sql.toString())
                    .bind("from", start.atOffset(ZoneOffset.UTC)).bind("to", stop.atOffset(ZoneOffset.UTC));
            filters.forEach(query::bind);
            return query.map((rs, ctx) -> new Row(rs.getLong("b"), rs.getString("g"), rs.getLong("n"))).list();
        });
        final Map<String, long[]> series = new TreeMap<>();
        for (Row row : rows) {
            series.computeIfAbsent(row.group(), g -> new long[(int) n])[(int) (row.bucket() - first)] += row.count();
        }
        final List<Instant> buckets = new ArrayList<>((int) n);
        for (long i = 0; i < n; i++) {
            buckets.add(Instant.ofEpochSecond((first + i) * width));
        }
        final List<AuditSeries.Group> groups = new ArrayList<>();
        long total = 0;
        for (Map.Entry<String, long[]> entry : series.entrySet()) {
            final long sum = Arrays.stream(entry.getValue()).sum();
            total += sum;
            groups.add(new AuditSeries.Group(entry.getKey().isEmpty() ? null : entry.getKey(),
                    Arrays.stream(entry.getValue()).boxed().toList(), sum));
        }
        return new AuditSeries(start, stop, bucket.wireName(), groupBy == null ? null : groupBy.wireName(),
                counted ? "minute_counts" : "events", buckets, groups, total);
    }

    private record Row(long bucket, String group, long count) {
    }
}
