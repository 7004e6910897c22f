package io.authservice.auditquery;

import io.authservice.core.InvalidInputException;
import io.authservice.core.Text;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * One search of the audit trail: equality filters, a time range ({@code from} inclusive, {@code to}
 * exclusive), a page size and the cursor where the previous page ended. Results are newest first.
 *
 * @param filters column name to the value it must equal (only names in {@link #FILTERS})
 * @param limit   most events to answer, or null for all of them (exports)
 */
public record AuditQuery(Map<String, Object> filters, Instant from, Instant to, Integer limit, AuditCursor cursor) {
    public static final int DEFAULT_LIMIT = 100;
    public static final int MAX_LIMIT = 1000;

    /** The equality filters, by parameter (= column) name. */
    public static final Set<String> FILTERS = Set.of("type", "outcome", "reason", "key_id", "key_name", "user_id",
            "client_address", "path", "fingerprint");
    private static final Set<String> NUMERIC = Set.of("key_id", "user_id");
    /** Every parameter a search understands, besides the output format. */
    public static final Set<String> PARAMETERS = Set.of("type", "outcome", "reason", "key_id", "key_name", "user_id",
            "client_address", "path", "fingerprint", "from", "to", "limit", "cursor");

    public AuditQuery {
        filters = Map.copyOf(filters);
    }

    /**
     * Reads a search from named parameters (query parameters or command options), checking each.
     *
     * @param unlimitedByDefault when true (CSV and NDJSON exports) no {@code limit} means every
     *                           matching event; otherwise it means {@value #DEFAULT_LIMIT}
     * @throws InvalidInputException naming the first parameter that is wrong
     */
    public static AuditQuery parse(Function<String, String> parameter, boolean unlimitedByDefault) {
        final Map<String, Object> filters = new LinkedHashMap<>();
        for (String name : FILTERS.stream().sorted().toList()) {
            final String value = parameter.apply(name);
            if (value == null || value.isEmpty()) {
                continue;
            }
            if (NUMERIC.contains(name)) {
                filters.put(name, wholeNumber(name, value, Long::valueOf));
            } else {
                filters.put(name, value);
            }
        }
        final TimeRange range = TimeRange.parse(parameter);
        final Integer limit = limit(parameter.apply("limit"), unlimitedByDefault);
        final String cursor = parameter.apply("cursor");
        return new AuditQuery(filters, range.from(), range.to(), limit,
                cursor == null || cursor.isEmpty() ? null : AuditCursor.decode(cursor));
    }

    /** The same search, continuing after {@code next}. */
    public AuditQuery after(AuditCursor next) {
        return new AuditQuery(filters, from, to, limit, next);
    }

    /** Reads an ISO 8601 instant ({@code 2026-11-25T10:00:00Z}, or with an offset); null when absent. */
    public static Instant instant(String name, String value) {
        if (value == null || value.isEmpty()) {
            return null;
        }
        try {
            return OffsetDateTime.parse(value.toUpperCase(Locale.ROOT)).toInstant();
        } catch (DateTimeParseException e) {
            throw new InvalidInputException("'" + name + "': '" + Text.printable(value)
                    + "' is not an ISO 8601 time such as 2026-11-25T10:00:00Z");
        }
    }

    /**
     * {@code value} read by {@code parse} ({@link Long#valueOf}, {@link Integer#valueOf}), or
     * {@link InvalidInputException} "'name': 'value' is not a whole number".
     */
    public static <N extends Number> N wholeNumber(String name, String value, Function<String, N> parse) {
        try {
            return parse.apply(value);
        } catch (NumberFormatException e) {
            throw new InvalidInputException("'" + name + "': '" + Text.printable(value) + "' is not a whole number");
        }
    }

    private static Integer limit(String value, boolean unlimitedByDefault) {
        if (value == null || value.isEmpty()) {
            return unlimitedByDefault ? null : DEFAULT_LIMIT;
        }
        final int limit = wholeNumber("limit", value, Integer::valueOf);
        if (limit < 1 || limit > MAX_LIMIT) {
            throw new InvalidInputException("'limit': must be between 1 and " + MAX_LIMIT);
        }
        return limit;
    }
}
