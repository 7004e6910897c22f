package io.authservice.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

import java.time.Instant;
import java.util.List;

/**
 * The answer of {@code GET /api/v1/audit/breakdown/}: the events matching the filters from {@code from}
 * to {@code to}, counted per value of one column ({@code by}), most events first.
 *
 * @param more true when more values than {@code groups} holds had events (raise {@code limit} to see them)
 */
public record AuditBreakdown(@JsonProperty("from") Instant from, @JsonProperty("to") Instant to,
                             @JsonProperty("by") String by,
                             @JsonProperty("groups") List<Group> groups,
                             @JsonProperty("more") boolean more) {
    public AuditBreakdown {
        groups = List.copyOf(groups);
    }

    /**
     * One value of the column and its events.
     *
     * @param value   the column's value: a number for {@code key_id} and {@code user_id}, else a string
     * @param keyName the key's name in its latest event (only when {@code by} is {@code key_id})
     */
    public record Group(@JsonProperty("value") Object value,
                        @JsonInclude(JsonInclude.Include.NON_NULL) @JsonProperty("key_name") String keyName,
                        @JsonProperty("events") long events, @JsonProperty("failures") long failures,
                        @JsonProperty("first_seen") Instant firstSeen, @JsonProperty("last_seen") Instant lastSeen) {
    }
}
