package io.authservice.auditquery;

import io.authservice.core.InvalidInputException;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.UUID;

/**
 * Where a page of events (newest first) ended: the last event's time and id. Travels as an opaque
 * base64url string; the next page holds the events strictly older in (time, id) order, so events
 * written meanwhile neither repeat nor shift the pages.
 */
public record AuditCursor(Instant occurredAt, UUID id) {
    private static final String VERSION = "1";

    public String encode() {
        final String raw = VERSION + ":" + occurredAt.getEpochSecond() + ":" + occurredAt.getNano() + ":" + id;
        return Base64.getUrlEncoder().withoutPadding().encodeToString(raw.getBytes(StandardCharsets.UTF_8));
    }

    /** @throws InvalidInputException when the value is not a cursor this service issued */
    public static AuditCursor decode(String value) {
        try {
            final String[] parts = new String(Base64.getUrlDecoder().decode(value), StandardCharsets.UTF_8).split(":");
            if (parts.length != 4 || !VERSION.equals(parts[0])) {
                throw new IllegalArgumentException("shape");
            }
            return new AuditCursor(Instant.ofEpochSecond(Long.parseLong(parts[1]), Long.parseLong(parts[2])),
                    UUID.fromString(parts[3]));
        } catch (RuntimeException e) {
            throw new InvalidInputException("'cursor': not a cursor this service gave out; use next_cursor as it came");
        }
    }
}
