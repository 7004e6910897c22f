package io.authservice.core;

import java.util.function.Function;

/**
 * The one parser for positive 64-bit ids given as text (paths, query strings, CSV cells, task and
 * command arguments): digits only, above zero, within a long; anything else is refused with
 * "{@code <what>} must be a positive integer, not '<value>'".
 */
public final class PositiveIds {
    private PositiveIds() {
    }

    /** The id in {@code raw} (trimmed), or the exception {@code refusal} makes of the message naming {@code what}. */
    public static long parse(String raw, String what, Function<String, ? extends RuntimeException> refusal) {
        final String value = raw == null ? "" : raw.trim();
        // digits only: Long.parseLong would also take "+7"
        if (!value.isEmpty() && value.length() <= 19 && value.chars().allMatch(c -> c >= '0' && c <= '9')) {
            try {
                final long id = Long.parseLong(value);
                if (id > 0) {
                    return id;
                }
            } catch (NumberFormatException beyondLong) {
                // refused below
            }
        }
        throw refusal.apply(what + " must be a positive integer, not '" + Text.printable(value) + "'");
    }
}
