package io.authservice.core;

import java.time.Duration;
import java.util.Objects;

/**
 * How fast a key may be used: {@code permits} requests per {@code period}, written {@code 600/1m}
 * (the period as in {@link OperatorDurations}: 1s, 1m, 1h, 1d ...).
 */
public record RateLimit(long permits, Duration period) {
    public static final long MAX_PERMITS = 1_000_000_000L;
    public static final Duration MIN_PERIOD = Duration.ofSeconds(1);
    public static final Duration MAX_PERIOD = Duration.ofDays(1);

    public RateLimit {
        Objects.requireNonNull(period, "period");
        if (permits < 1 || permits > MAX_PERMITS) {
            throw new InvalidInputException("'rate_limit': the count must be from 1 to " + MAX_PERMITS);
        }
        if (period.compareTo(MIN_PERIOD) < 0 || period.compareTo(MAX_PERIOD) > 0) {
            throw new InvalidInputException("'rate_limit': the period must be from 1s to 1d");
        }
    }

    /**
     * Parses {@code N/<duration>}, e.g. {@code 600/1m}; null or blank is no limit (null).
     *
     * @throws InvalidInputException for anything else
     */
    public static RateLimit parse(String raw) {
        if (raw == null || raw.isBlank()) {
            return null;
        }
        final String text = raw.trim();
        final int slash = text.indexOf('/');
        if (slash > 0 && slash <= 10 && text.substring(0, slash).chars().allMatch(c -> c >= '0' && c <= '9')) {
            final long permits = Long.parseLong(text.substring(0, slash));
            final Duration period;
            try {
                period = OperatorDurations.parse(text.substring(slash + 1), "rate_limit", false);
            } catch (InvalidInputException e) {
                throw malformed(raw);
            }
            return new RateLimit(permits, period);
        }
        throw malformed(raw);
    }

    private static InvalidInputException malformed(String raw) {
        return new InvalidInputException("'rate_limit' must be a count per period such as 600/1m or 10/1s, got '"
                + Text.printable(raw) + "'");
    }

    /** The stored and shown form, e.g. {@code 600/1m}: the period in its largest whole unit. */
    public String format() {
        return permits + "/" + formatPeriod(period);
    }

    private static String formatPeriod(Duration period) {
        final long seconds = period.getSeconds();
        if (period.getNano() != 0) {
            return period.toMillis() + "ms";
        }
        if (seconds % 86_400 == 0) {
            return seconds / 86_400 + "d";
        }
        if (seconds % 3_600 == 0) {
            return seconds / 3_600 + "h";
        }
        if (seconds % 60 == 0) {
            return seconds / 60 + "m";
        }
        return seconds + "s";
    }

    @Override
    public String toString() {
        return format();
    }
}
