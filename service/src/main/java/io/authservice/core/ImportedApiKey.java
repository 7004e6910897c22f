package io.authservice.core;

import java.time.Instant;

/**
 * One key brought over from the original service, as read from its export.
 *
 * @param line the line of the export it came from, for messages
 */
public record ImportedApiKey(int line, String name, String key, boolean active, Instant createdAt) {
    @Override
    public String toString() {
        return "ImportedApiKey[line=" + line + ", name=" + name + ", active=" + active + ", createdAt=" + createdAt + "]";
    }
}
