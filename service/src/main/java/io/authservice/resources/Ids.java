package io.authservice.resources;

import io.authservice.core.Text;
import jakarta.ws.rs.BadRequestException;

/**
 * Ids from paths and query strings. Resources take them as text and parse here, so "abc", "0", "-1"
 * or a number beyond a long is a 400 with a message, not Jersey's 404 for a failed conversion.
 */
final class Ids {
    private Ids() {
    }

    /** A positive 64-bit id, or a 400 naming {@code what}. */
    static long parse(String raw, String what) {
        final String value = raw == null ? "" : raw.trim();
        // digits only: Long.parseLong would also take "+7"
        if (!value.isEmpty() && value.length() <= 19 && value.chars().allMatch(c -> c >= '0' && c <= '9')) {
            try {
                final long id = Long.parseLong(value);
                if (id > 0) {
                    return id;
                }
            } catch (NumberFormatException beyondLong) {
                // answered below
            }
        }
        throw new BadRequestException(what + " must be a positive integer, not '" + Text.printable(value) + "'");
    }
}
