package io.authservice.auditquery;

import io.authservice.api.AuditBreakdown;
import io.authservice.audit.AuditEvent;
import io.authservice.core.InvalidInputException;
import io.authservice.core.Text;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.Query;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The events of a filter and time range counted per value of one column: the addresses a key was used
 * from, the keys and users an address or a fingerprint touched. Grouped from {@code audit_events} in
 * the database, so the answer counts every matching event, not a page of them.
 */
public final class AuditBreakdowns {
    /** Without {@code limit}. */
    public static final int DEFAULT_LIMIT = 20;
    public static final int MAX_LIMIT = 1000;

    /** A column the events can be counted by. */
    public enum By {
        CLIENT_ADDRESS("client_address"), KEY_ID("key_id"), USER_ID("user_id"), FINGERPRINT("fingerprint"),
        TYPE("type"), REASON("reason"), PATH("path");

        private final String column;

        By(String column) {
            this.column = column;
        }

        public String wireName() {
            return column;
        }

        public static By parse(String value) {
            for (By by : values()) {
                if (by.column.equals(value)) {
                    return by;
                }
            }
            throw new InvalidInputException("'by': " + (value == null || value.isEmpty() ? "is required"
                    : "'" + Text.printable(value) + "' is not one of "
                    + Arrays.stream(values()).map(By::wireName).collect(Collectors.joining(", "))));
        }
    }

    private final Jdbi jdbi;

    public AuditBreakdowns(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    /**
     * @param filters column to the value it must equal (names from {@link AuditQuery#FILTERS})
     * @param limit   most values to answer, 1 to {@value #MAX_LIMIT}
     */
    public AuditBreakdown breakdown(Instant from, Instant to, By by, Map<String, Object> filters, int limit) {
        if (limit < 1 || limit > MAX_LIMIT) {
            throw new InvalidInputException("'limit': must be between 1 and " + MAX_LIMIT);
        }
        final String column = by.column;
        final StringBuilder sql = new StringBuilder("SELECT ").append(column).append(" AS v, COUNT(*) AS n,")
                .append(" SUM(CASE WHEN outcome = :failure THEN 1 ELSE 0 END) AS f,")
                .append(" MIN(occurred_at) AS first_seen, MAX(occurred_at) AS last_seen")
                .append(by == By.KEY_ID ? ", MAX(key_name) AS key_name" : "")
                .append(" FROM audit_events WHERE occurred_at >= :from AND occurred_at < :to AND ")
                .append(column).append(" IS NOT NULL");
        // names come from AuditQuery.FILTERS and By only, never from the request
        for (String filter : filters.keySet()) {
            sql.append(" AND ").append(filter).append(" = :").append(filter);
        }
        sql.append(" GROUP BY ").append(column).append(" ORDER BY n DESC, v LIMIT ").append(limit + 1);
        final List<AuditBreakdown.Group> groups = jdbi.withHandle(handle -> {
            final Query query = handle.createQuery(sql.toString()).bind("failure", AuditEvent.FAILURE)
                    .bind("from", from.atOffset(ZoneOffset.UTC)).bind("to", to.atOffset(ZoneOffset.UTC));
            filters.forEach(query::bind);
            return query.map((rs, ctx) -> new AuditBreakdown.Group(
                    by == By.KEY_ID || by == By.USER_ID ? (Object) rs.getLong("v") : rs.getString("v"),
                    by == By.KEY_ID ? rs.getString("key_name") : null, rs.getLong("n"), rs.getLong("f"),
                    rs.getObject("first_seen", OffsetDateTime.class).toInstant(),
                    rs.getObject("last_seen", OffsetDateTime.class).toInstant())).list();
        });
        final boolean more = groups.size() > limit;
        return new AuditBreakdown(from, to, by.column, more ? groups.subList(0, limit) : groups, more);
    }
}
