package io.authservice.audit.seal;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;

/**
 * Reads a time as {@link Instant#toString} writes it for the years 1970 to 9999
 * ({@code 2026-12-01T10:00:00Z}, with 3, 6 or 9 digits of fraction when there is one) from bytes,
 * up to its closing quote; anything else is left to the wire form's own reader (null).
 */
final class EventTimes {
    private EventTimes() {
    }

    /** The time that begins at {@code at} and ends before a {@code "}, ahead of {@code end}; or null. */
    static Instant parse(byte[] bytes, int at, int end) {
        int close = at + 20;
        while (close < end && close < at + 31 && bytes[close] != '"') {
            close++;
        }
        final int length = close - at;
        if (close >= end || bytes[close] != '"' || (length != 20 && length != 24 && length != 27 && length != 30)
                || bytes[at + 4] != '-' || bytes[at + 7] != '-' || bytes[at + 10] != 'T' || bytes[at + 13] != ':'
                || bytes[at + 16] != ':' || bytes[close - 1] != 'Z' || (length > 20 && bytes[at + 19] != '.')) {
            return null;
        }
        final int year = digits(bytes, at, 4);
        final int month = digits(bytes, at + 5, 2);
        final int day = digits(bytes, at + 8, 2);
        final int hour = digits(bytes, at + 11, 2);
        final int minute = digits(bytes, at + 14, 2);
        final int second = digits(bytes, at + 17, 2);
        final int fraction = length == 20 ? 0 : digits(bytes, at + 20, length - 21);
        if (year < 1970 || month < 0 || day < 0 || hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0
                || second > 59 || fraction < 0) {
            return null;
        }
        final long epochDay;
        try {
            epochDay = LocalDate.of(year, month, day).toEpochDay();
        } catch (DateTimeException e) {
            return null;
        }
        final int nanos = switch (length) {
            case 24 -> fraction * 1_000_000;
            case 27 -> fraction * 1000;
            default -> fraction;
        };
        return Instant.ofEpochSecond(epochDay * 86_400 + hour * 3600L + minute * 60L + second, nanos);
    }

    /** The decimal number of {@code count} digits at {@code at}, or -1 when one is not a digit. */
    private static int digits(byte[] bytes, int at, int count) {
        int value = 0;
        for (int i = at; i < at + count; i++) {
            final int digit = bytes[i] - '0';
            if (digit < 0 || digit > 9) {
                return -1;
            }
            value = value * 10 + digit;
        }
        return value;
    }
}
