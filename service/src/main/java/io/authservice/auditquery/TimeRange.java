package io.authservice.auditquery;

import io.authservice.core.InvalidInputException;

import java.time.Duration;
import java.time.Instant;
import java.util.function.Function;

/**
 * The {@code from}/{@code to} range every audit read takes (events, exports, summary, time series,
 * verification): ISO 8601 times, either bound may be open, and {@code from} before {@code to}.
 *
 * @param from the first instant included, or null for no lower bound
 * @param to   the first instant excluded, or null for no upper bound
 */
public record TimeRange(Instant from, Instant to) {
    public TimeRange {
        if (from != null && to != null && !from.isBefore(to)) {
            throw new InvalidInputException("'from' must be before 'to'");
        }
    }

    /** Reads the {@code from} and {@code to} parameters; either may be absent. */
    public static TimeRange parse(Function<String, String> parameter) {
        return new TimeRange(AuditQuery.instant("from", parameter.apply("from")),
                AuditQuery.instant("to", parameter.apply("to")));
    }

    /** This range with both bounds: an open {@code to} is {@code now}, an open {@code from} is {@code length} before {@code to}. */
    public TimeRange closed(Instant now, Duration length) {
        final Instant end = to == null ? now : to;
        return new TimeRange(from == null ? end.minus(length) : from, end);
    }
}
