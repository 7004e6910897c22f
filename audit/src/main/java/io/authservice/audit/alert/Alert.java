package io.authservice.audit.alert;

import io.authservice.audit.AuditEvent;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * An alert a rule found: which rule, about what ({@code subject}: {@code address:<a>},
 * {@code fingerprint:<f>}, {@code key:<id>}, {@code key:<id> range:<cidr>}, {@code user:<id>}), in
 * which window, how many events it counted against which threshold, and the event that set it off.
 * At most one alert is raised per (rule, subject, window start), by whichever writer stores it first.
 *
 * @param threshold null when the rule has none (one event is enough)
 * @param trigger   the event that set it off; null for a test alert
 */
public record Alert(String rule, String subject, Instant windowStart, Duration window, long count, Long threshold,
                    AuditEvent trigger) {
    public Alert {
        Objects.requireNonNull(rule, "rule");
        Objects.requireNonNull(subject, "subject");
        Objects.requireNonNull(windowStart, "windowStart");
        Objects.requireNonNull(window, "window");
    }

    /** The start of the fixed window of length {@code window} (counted from the epoch) that {@code at} falls in. */
    public static Instant windowOf(Instant at, Duration window) {
        final long millis = window.toMillis();
        return Instant.ofEpochMilli(Math.floorDiv(at.toEpochMilli(), millis) * millis);
    }

    /** The key this alert is deduplicated by. */
    String dedupeKey() {
        return rule + '\u0000' + subject + '\u0000' + windowStart;
    }
}
