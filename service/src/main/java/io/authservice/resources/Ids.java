package io.authservice.resources;

import io.authservice.core.PositiveIds;
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
        return PositiveIds.parse(raw, what, BadRequestException::new);
    }
}
