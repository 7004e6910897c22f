package io.authservice.audit.alert;

import io.authservice.audit.UtcInstantArgumentFactory;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

/**
 * Sends the outbox ({@code audit_alerts}) to every destination: at least once, never lost across
 * restarts. A worker claims a due alert for a lease ({@code claimed_until}: a conditional UPDATE that
 * one worker of many wins, on H2 and PostgreSQL alike), sends it to each destination that has not yet
 * taken it, and records which did; when all did it is delivered, else it is due again after an
 * exponential backoff. A worker that dies holding a claim frees it when the lease passes; its alert is
 * then sent again with the same id, which receivers use to drop the duplicate.
 */
public final class AlertDelivery {
    private static final Logger LOG = LoggerFactory.getLogger(AlertDelivery.class);

    private final Jdbi jdbi;
    private final List<AlertDestination> destinations;
    private final AlertConfig.Delivery config;
    private final Clock clock;

    public AlertDelivery(Jdbi jdbi, List<AlertDestination> destinations, AlertConfig.Delivery config, Clock clock) {
        this.jdbi = Objects.requireNonNull(jdbi, "jdbi");
        this.destinations = List.copyOf(destinations);
        this.config = Objects.requireNonNull(config, "config");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** An alert this worker holds: its claim ends at {@code until}. */
    record Claimed(UUID id, String body, Set<String> deliveredTo, int attempts, Instant until) {
    }

    /** What one pass did. */
    public record Pass(int claimed, int delivered, int failed) {
    }

    /** Claims the due alerts (at most the batch size) and sends each once. */
    public Pass runOnce() {
        int delivered = 0;
        int failed = 0;
        final List<Claimed> claimed = claim();
        for (Claimed alert : claimed) {
            if (send(alert)) {
                delivered++;
            } else {
                failed++;
            }
        }
        return new Pass(claimed.size(), delivered, failed);
    }

    /** Claims due alerts: each conditional UPDATE is won by one worker. */
    List<Claimed> claim() {
        if (destinations.isEmpty()) {
            return List.of();
        }
        final Instant now = clock.instant();
        final Instant until = now.plus(config.getLease().toJavaDuration());
        final List<UUID> due = jdbi.withHandle(h -> h.createQuery("SELECT id FROM audit_alerts WHERE delivered_at IS NULL"
                        + " AND next_attempt_at <= :now AND (claimed_until IS NULL OR claimed_until <= :now)"
                        + " ORDER BY next_attempt_at, id LIMIT :limit")
                .registerArgument(new UtcInstantArgumentFactory())
                .bind("now", now).bind("limit", config.getBatchSize()).mapTo(UUID.class).list());
        return due.stream().map(id -> jdbi.withHandle(h -> {
            final int won = h.createUpdate("UPDATE audit_alerts SET claimed_until = :until WHERE id = :id AND delivered_at IS NULL"
                            + " AND (claimed_until IS NULL OR claimed_until <= :now)")
                    .registerArgument(new UtcInstantArgumentFactory())
                    .bind("until", until).bind("id", id).bind("now", now).execute();
            if (won != 1) {
                return null;
            }
            return h.createQuery("SELECT body, delivered_to, attempts FROM audit_alerts WHERE id = :id").bind("id", id)
                    .map((rs, ctx) -> new Claimed(id, rs.getString(1), names(rs.getString(2)), rs.getInt(3), until)).one();
        })).filter(Objects::nonNull).toList();
    }

    /** Sends one claimed alert to the destinations that have not taken it; records the outcome. */
    boolean send(Claimed alert) {
        final Set<String> taken = new LinkedHashSet<>(alert.deliveredTo());
        String error = null;
        for (AlertDestination destination : destinations) {
            if (taken.contains(destination.name())) {
                continue;
            }
            try {
                destination.send(alert.id(), alert.body());
                taken.add(destination.name());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                error = destination.name() + ": interrupted";
                break;
            } catch (Exception e) {
                error = destination.name() + ": " + e.getMessage();
                LOG.warn("alert {} was not delivered to {} (attempt {}): {}", alert.id(), destination.name(),
                        alert.attempts() + 1, e.toString());
            }
        }
        final boolean all = destinations.stream().allMatch(d -> taken.contains(d.name()));
        final Instant now = clock.instant();
        final int attempts = alert.attempts() + 1;
        final String deliveredTo = String.join(",", taken);
        final String lastError = error == null ? null : error.length() <= 512 ? error : error.substring(0, 512);
        jdbi.useHandle(h -> h.createUpdate("UPDATE audit_alerts SET delivered_to = :to, attempts = :attempts,"
                        + " claimed_until = NULL, last_error = :error, delivered_at = :deliveredAt, next_attempt_at = :next"
                        + " WHERE id = :id AND claimed_until = :until")
                .registerArgument(new UtcInstantArgumentFactory())
                .bind("to", deliveredTo).bind("attempts", attempts).bind("error", lastError)
                .bind("deliveredAt", all ? now : null).bind("next", all ? now : now.plus(backoff(attempts)))
                .bind("id", alert.id()).bind("until", alert.until()).execute());
        return all;
    }

    /** The wait after {@code attempts} failed attempts: the initial backoff, doubled after each, at most the maximum. */
    Duration backoff(int attempts) {
        final long initial = config.getInitialBackoff().toMilliseconds();
        final long max = config.getMaxBackoff().toMilliseconds();
        final int doublings = Math.min(Math.max(attempts - 1, 0), 40);
        final long wait = initial > (max >> doublings) ? max : initial << doublings;
        return Duration.ofMillis(Math.min(max, wait));
    }

    /** How many alerts wait to be delivered (a gauge). */
    public long pending() {
        return jdbi.withHandle(h -> h.createQuery("SELECT COUNT(*) FROM audit_alerts WHERE delivered_at IS NULL")
                .mapTo(Long.class).one());
    }

    private static Set<String> names(String list) {
        return list == null || list.isEmpty() ? Set.of()
                : Arrays.stream(list.split(",")).collect(Collectors.toCollection(LinkedHashSet::new));
    }

    /** When the oldest undelivered alert was raised, if any. */
    public java.util.Optional<Instant> oldestPending() {
        return jdbi.withHandle(h -> h.createQuery("SELECT MIN(raised_at) FROM audit_alerts WHERE delivered_at IS NULL")
                .map((rs, ctx) -> rs.getObject(1, OffsetDateTime.class)).findOne()).map(OffsetDateTime::toInstant);
    }
}
