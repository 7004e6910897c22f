package io.authservice.core;

import io.dropwizard.util.Duration;

/** Parses operator durations such as {@code 90d}, {@code 24h}, {@code 30m}, and counts of days. */
public final class OperatorDurations {
    /** Longer than any sensible key lifetime; guards against overflow and typos. */
    private static final java.time.Duration MAX = java.time.Duration.ofDays(36_500);

    private OperatorDurations() {
    }

    /**
     * Parses a duration; {@code allowZero} permits "0s" (an immediate rotation).
     *
     * @param what the parameter's name, for the message
     */
    public static java.time.Duration parse(String raw, String what, boolean allowZero) {
        final java.time.Duration value;
        try {
            value = Duration.parse(raw.trim()).toJavaDuration();
        } catch (RuntimeException e) {
            throw new InvalidInputException("'" + what + "' must be a duration such as 90d, 24h or 30m, got '"
                    + Text.printable(raw) + "'");
        }
        if (value.isNegative() || (value.isZero() && !allowZero)) {
            throw new InvalidInputException("'" + what + "' must be " + (allowZero ? "zero or more" : "more than zero"));
        }
        if (value.compareTo(MAX) > 0) {
            throw new InvalidInputException("'" + what + "' must be at most 36500d");
        }
        return value;
    }

    /** A duration as an operator writes it: {@code 365d}, {@code 36h}, {@code 90m} or {@code 45s}. */
    public static String format(java.time.Duration value) {
        if (value.toSeconds() % 86_400 == 0) {
            return value.toDays() + "d";
        }
        if (value.toSeconds() % 3600 == 0) {
            return value.toHours() + "h";
        }
        if (value.toSeconds() % 60 == 0) {
            return value.toMinutes() + "m";
        }
        return value.toSeconds() + "s";
    }

    /**
     * Parses a whole number of days from 1 to {@code max}, exactly as given (no trimming).
     *
     * @param what the parameter's name, for the message
     */
    public static int wholeDays(String raw, String what, int max) {
        try {
            final int days = Integer.parseInt(raw);
            if (days >= 1 && days <= max) {
                return days;
            }
        } catch (NumberFormatException ignored) {
            // answered below
        }
        throw new InvalidInputException("'" + what + "': '" + Text.printable(raw)
                + "' is not a whole number of days from 1 to " + max);
    }
}
