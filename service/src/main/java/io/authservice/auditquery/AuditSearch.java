package io.authservice.auditquery;

import io.authservice.api.AuditSummary;
import io.authservice.audit.AuditEvent;
import io.authservice.audit.AuditEventMapper;
import io.authservice.audit.AuditEventTypes;
import io.authservice.audit.AuditEventDAO;
import io.authservice.audit.AuditMinuteCounts;
import io.authservice.audit.AuditSummaryCounts;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.Query;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;

/** Runs searches and summaries over the audit store ({@code audit_events}). */
public final class AuditSearch {
    /** Rows fetched per round trip when an export streams. */
    private static final int FETCH_SIZE = 1000;
    /** How many client addresses a summary lists. */
    public static final int TOP_ADDRESSES = 10;
    /** How many failed-key fingerprints a summary lists. */
    public static final int TOP_FINGERPRINTS = 10;

    private static final AuditEventMapper MAPPER = new AuditEventMapper();

    private final Jdbi jdbi;
    private final Clock clock;
    private final Duration expiryWarning;

    public AuditSearch(Jdbi jdbi, Clock clock) {
        this(jdbi, clock, Duration.ofDays(14));
    }

    /** @param expiryWarning the summary lists the active keys expiring within this long ({@code apiKeys.expiryWarning}) */
    public AuditSearch(Jdbi jdbi, Clock clock, Duration expiryWarning) {
        this.jdbi = jdbi;
        this.clock = clock;
        this.expiryWarning = expiryWarning;
    }

    /** A page of events and the cursor for the next one (null when this page is the last). */
    public record Page(List<AuditEvent> events, AuditCursor next) {
    }

    /** One page, newest first: at most {@code query.limit()} events (which must be set). */
    public Page page(AuditQuery query) {
        final int limit = query.limit();
        final List<AuditEvent> rows = jdbi.withHandle(handle -> query(handle, query, limit + 1).map(MAPPER).list());
        if (rows.size() <= limit) {
            return new Page(rows, null);
        }
        final List<AuditEvent> page = rows.subList(0, limit);
        final AuditEvent last = page.get(limit - 1);
        return new Page(List.copyOf(page), new AuditCursor(last.occurredAt(), last.id()));
    }

    /**
     * Every matching event, newest first, handed to {@code each} as rows arrive from the database (a
     * cursor on PostgreSQL: memory stays flat for millions of rows).
     */
    public void stream(AuditQuery query, Consumer<AuditEvent> each) {
        jdbi.useTransaction(handle -> {
            try (Stream<AuditEvent> rows = query(handle, query, query.limit()).setFetchSize(FETCH_SIZE).map(MAPPER).stream()) {
                rows.forEach(each);
            }
        });
    }

    private static Query query(Handle handle, AuditQuery query, Integer limit) {
        final StringBuilder sql = new StringBuilder("SELECT " + AuditEventDAO.COLUMNS + " FROM audit_events WHERE 1 = 1");
        // names come from AuditQuery.FILTERS only, never from the request
        for (String column : query.filters().keySet()) {
            sql.append(" AND ").append(column).append(" = :").append(column);
        }
        if (query.from() != null) {
            sql.append(" AND occurred_at >= :from");
        }
        if (query.to() != null) {
            sql.append(" AND occurred_at < :to");
        }
        if (query.cursor() != null) {
            sql.append(" AND (occurred_at < :cursor_at OR (occurred_at = :cursor_at AND id < :cursor_id))");
        }
        sql.append(" ORDER BY occurred_at DESC, id DESC");
        if (limit != null) {
            sql.append(" LIMIT ").append((int) limit);
        }
        final Query q = handle.createQuery(sql.toString());
        for (Map.Entry<String, Object> filter : query.filters().entrySet()) {
            q.bind(filter.getKey(), filter.getValue());
        }
        if (query.from() != null) {
            q.bind("from", utc(query.from()));
        }
        if (query.to() != null) {
            q.bind("to", utc(query.to()));
        }
        if (query.cursor() != null) {
            q.bind("cursor_at", utc(query.cursor().occurredAt()));
            q.bind("cursor_id", query.cursor().id());
        }
        return q;
    }

    /**
     * What happened between {@code from} and {@code to}: counts by type and outcome, the client
     * addresses with the most failures, uses per key, the failed-key fingerprints seen most; and the
     * active keys with no use in the last {@code unusedDays} days (rotation candidates), and the
     * active keys expiring within the expiry warning, soonest first.
     *
     * <p>Every count is exact and read from the counts the writers keep ({@link AuditSummaryCounts},
     * {@link AuditMinuteCounts}) for the whole hours, minutes or days of the range, and from the events for
     * the rest at its ends ({@link Segments}): a week of millions of events is read as some thousands of rows.
     */
    public AuditSummary summary(Instant from, Instant to, int unusedDays) {
        final Instant now = clock.instant();
        final Instant cutoff = now.minus(Duration.ofDays(unusedDays));
        final List<Segments.Segment> byTime = Segments.of(from, to, List.of(Duration.ofHours(1), Duration.ofMinutes(1)));
        final List<Segments.Segment> byDay = Segments.of(from, to, List.of(Duration.ofDays(1)));
        return jdbi.withHandle(handle -> {
            final List<AuditSummary.TypeCount> byType = bind(handle.createQuery(
                            "SELECT type, outcome, SUM(n) AS n FROM (" + union(byTime, (segment, i) -> segment.events()
                                    ? "SELECT type, outcome, 1 AS n FROM audit_events WHERE " + range("occurred_at", i)
                                    : "SELECT type, outcome, events AS n FROM " + counts(segment, i))
                                    + ") t GROUP BY type, outcome ORDER BY type, outcome"), byTime)
                    .map((rs, ctx) -> new AuditSummary.TypeCount(rs.getString("type"), rs.getString("outcome"), rs.getLong("n")))
                    .list();
            final List<AuditSummary.AddressFailures> addresses = bind(handle.createQuery(
                            "SELECT client_address, SUM(n) AS n FROM (" + union(byDay, (segment, i) -> segment.events()
                                    ? "SELECT client_address, 1 AS n FROM audit_events WHERE " + range("occurred_at", i)
                                    + " AND outcome = '" + AuditEvent.FAILURE + "' AND client_address IS NOT NULL"
                                    : "SELECT client_address, events AS n FROM audit_day_failures WHERE " + range("day_at", i))
                                    + ") t GROUP BY client_address ORDER BY n DESC, client_address LIMIT " + TOP_ADDRESSES), byDay)
                    .map((rs, ctx) -> new AuditSummary.AddressFailures(rs.getString("client_address"), rs.getLong("n")))
                    .list();
            // the key's name as the key has it now, or (a deleted key) as its events in the range gave it
            final List<AuditSummary.KeyUses> keys = bind(handle.createQuery(
                            "SELECT u.key_id, u.n, COALESCE(k.name, (SELECT MAX(e.key_name) FROM audit_events e"
                                    + " WHERE e.key_id = u.key_id AND e.type = :used AND e.occurred_at >= :from"
                                    + " AND e.occurred_at < :to)) AS key_name,"
                                    + " (SELECT MAX(e.occurred_at) FROM audit_events e WHERE e.key_id = u.key_id"
                                    + " AND e.type = :used AND e.occurred_at >= :from AND e.occurred_at < :to) AS last_used_at"
                                    + " FROM (SELECT key_id, SUM(n) AS n FROM (" + union(byTime, (segment, i) -> segment.events()
                                    ? "SELECT key_id, 1 AS n FROM audit_events WHERE " + range("occurred_at", i)
                                    + " AND type = :used AND key_id IS NOT NULL"
                                    : "SELECT key_id, events AS n FROM " + counts(segment, i)
                                    + " AND type = :used AND key_id <> " + AuditMinuteCounts.NO_KEY)
                                    + ") c GROUP BY key_id) u LEFT JOIN api_keys k ON k.id = u.key_id ORDER BY u.n DESC, u.key_id"),
                            byTime)
                    .bind("from", utc(from)).bind("to", utc(to)).bind("used", AuditEventTypes.API_KEY_USED)
                    .map((rs, ctx) -> new AuditSummary.KeyUses(rs.getLong("key_id"), rs.getString("key_name"),
                            rs.getLong("n"), rs.getObject("last_used_at", OffsetDateTime.class).toInstant()))
                    .list();
            final List<AuditSummary.FingerprintAttempts> fingerprints = fingerprints(handle, byDay);
            final List<AuditSummary.UnusedKey> unused = new ArrayList<>(handle.createQuery(
                            "SELECT k.id, k.name, k.prefix, k.created_at,"
                                    + " (SELECT MAX(e.occurred_at) FROM audit_events e WHERE e.key_id = k.id AND e.type = :used)"
                                    + " AS last_used_at"
                                    + " FROM api_keys k WHERE k.is_active = TRUE"
                                    + " AND (k.expires_at IS NULL OR k.expires_at > :now) AND k.created_at < :cutoff"
                                    + " AND NOT EXISTS (SELECT 1 FROM audit_events e WHERE e.key_id = k.id AND e.type = :used"
                                    + " AND e.occurred_at >= :cutoff) ORDER BY k.id")
                    .bind("used", AuditEventTypes.API_KEY_USED).bind("now", utc(now)).bind("cutoff", utc(cutoff))
                    .map((rs, ctx) -> {
                        final OffsetDateTime last = rs.getObject("last_used_at", OffsetDateTime.class);
                        return new AuditSummary.UnusedKey(rs.getLong("id"), rs.getString("name"), rs.getString("prefix"),
                                rs.getObject("created_at", OffsetDateTime.class).toInstant(),
                                last == null ? null : last.toInstant());
                    })
                    .list());
            final List<AuditSummary.ExpiringKey> expiring = handle.createQuery(
                            "SELECT id, name, prefix, expires_at FROM api_keys WHERE is_active = TRUE"
                                    + " AND expires_at > :now AND expires_at <= :until ORDER BY expires_at, id")
                    .bind("now", utc(now)).bind("until", utc(now.plus(expiryWarning)))
                    .map((rs, ctx) -> new AuditSummary.ExpiringKey(rs.getLong("id"), rs.getString("name"),
                            rs.getString("prefix"), rs.getObject("expires_at", OffsetDateTime.class).toInstant()))
                    .list();
            return new AuditSummary(from, to, byType, addresses, keys, fingerprints, unusedDays, unused,
                    expiryWarning.toDays(), expiring);
        });
    }

    /**
     * The most-tried fingerprints of rejected keys: first the top ones by attempts (with first and last
     * seen), then how many addresses tried each of those only (a distinct count over every fingerprint of
     * a week would sort them all).
     */
    private static List<AuditSummary.FingerprintAttempts> fingerprints(Handle handle, List<Segments.Segment> byDay) {
        final String rejected = " AND type = '" + AuditEventTypes.API_KEY_REJECTED + "' AND outcome = '" + AuditEvent.FAILURE
                + "' AND fingerprint IS NOT NULL";
        record Top(String fingerprint, long attempts, Instant first, Instant last) {
        }
        final List<Top> top = bind(handle.createQuery(
                        "SELECT fingerprint, SUM(n) AS n, MIN(fa) AS first_seen, MAX(la) AS last_seen FROM ("
                                + union(byDay, (segment, i) -> segment.events()
                                ? "SELECT fingerprint, 1 AS n, occurred_at AS fa, occurred_at AS la FROM audit_events WHERE "
                                + range("occurred_at", i) + rejected
                                : "SELECT fingerprint, events AS n, first_at AS fa, last_at AS la FROM audit_day_fingerprints WHERE "
                                + range("day_at", i))
                                + ") t GROUP BY fingerprint ORDER BY n DESC, fingerprint LIMIT " + TOP_FINGERPRINTS), byDay)
                .map((rs, ctx) -> new Top(rs.getString("fingerprint"), rs.getLong("n"),
                        rs.getObject("first_seen", OffsetDateTime.class).toInstant(),
                        rs.getObject("last_seen", OffsetDateTime.class).toInstant()))
                .list();
        if (top.isEmpty()) {
            return List.of();
        }
        final Map<String, Long> addresses = new java.util.HashMap<>();
        bind(handle.createQuery("SELECT fingerprint, COUNT(DISTINCT a) AS addresses FROM ("
                        + union(byDay, (segment, i) -> segment.events()
                        ? "SELECT fingerprint, client_address AS a FROM audit_events WHERE fingerprint IN (<fingerprints>) AND "
                        + range("occurred_at", i) + rejected
                        : "SELECT fingerprint, NULLIF(client_address, '" + AuditSummaryCounts.NO_ADDRESS + "') AS a"
                        + " FROM audit_day_fingerprints WHERE fingerprint IN (<fingerprints>) AND " + range("day_at", i))
                        + ") t GROUP BY fingerprint"), byDay)
                .bindList("fingerprints", top.stream().map(Top::fingerprint).toList())
                .map((rs, ctx) -> Map.entry(rs.getString("fingerprint"), rs.getLong("addresses")))
                .forEach(e -> addresses.put(e.getKey(), e.getValue()));
        return top.stream().map(t -> new AuditSummary.FingerprintAttempts(t.fingerprint(), t.attempts(),
                addresses.getOrDefault(t.fingerprint(), 0L), t.first(), t.last())).toList();
    }

    /** One SELECT per segment, as {@code select} writes it for the segment and its index, joined by UNION ALL. */
    private static String union(List<Segments.Segment> segments, java.util.function.BiFunction<Segments.Segment, Integer, String> select) {
        final List<String> selects = new ArrayList<>();
        for (int i = 0; i < segments.size(); i++) {
            selects.add(select.apply(segments.get(i), i));
        }
        return String.join(" UNION ALL ", selects);
    }

    /** {@code column} in the {@code i}th segment's range (bound by {@link #bind}). */
    private static String range(String column, int i) {
        return column + " >= :f" + i + " AND " + column + " < :t" + i;
    }

    /** The count table of the segment's unit, and its rows in the segment's range. */
    private static String counts(Segments.Segment segment, int i) {
        return segment.unit().equals(Duration.ofHours(1)) ? "audit_hour_counts WHERE " + range("hour_at", i)
                : "audit_minute_counts WHERE " + range("minute_at", i);
    }

    private static Query bind(Query query, List<Segments.Segment> segments) {
        for (int i = 0; i < segments.size(); i++) {
            query.bind("f" + i, utc(segments.get(i).from())).bind("t" + i, utc(segments.get(i).to()));
        }
        return query;
    }

    private static OffsetDateTime utc(Instant instant) {
        return instant.atOffset(java.time.ZoneOffset.UTC);
    }
}
