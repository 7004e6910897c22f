package io.authservice.audit.alert;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.authservice.audit.AuditEvent;
import io.authservice.audit.AuditEventTypes;
import io.authservice.audit.AuditStore;
import io.authservice.audit.AuditWireFormat;
import io.authservice.audit.UtcInstantArgumentFactory;
import org.jdbi.v3.core.Handle;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.UUID;

/**
 * Raises alerts: for each one not raised before (per rule, subject and window), an {@code alert.raised}
 * audit event and a row of {@code audit_alerts}, the outbox {@link AlertDelivery} sends from, both in
 * the caller's transaction. The events are stored through {@code sink}, an audit store on the same
 * {@code Jdbi} (sealed in a chain of its own, with the per-minute counts), which joins that transaction.
 */
public final class AlertOutbox {
    /** Who raises alerts, in the events' actor column. */
    public static final String ACTOR = "alert-rules";
    public static final String SURFACE = "alerts";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Comparator<Alert> LOCK_ORDER = Comparator.comparing(Alert::rule).thenComparing(Alert::subject)
            .thenComparing(Alert::windowStart);

    private final AuditStore sink;
    private final Clock clock;
    private final String instanceId;

    public AlertOutbox(AuditStore sink, Clock clock, String instanceId) {
        this.sink = Objects.requireNonNull(sink, "sink");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.instanceId = instanceId;
    }

    /**
     * Raises those of {@code alerts} not raised before, in {@code handle}'s transaction.
     *
     * @return the alert.raised events of the alerts newly raised (their ids are the alerts' ids)
     */
    public List<AuditEvent> raise(Handle handle, List<Alert> alerts) {
        if (alerts.isEmpty()) {
            return List.of();
        }
        final Instant now = clock.instant();
        final List<AuditEvent> raised = new ArrayList<>();
        for (Alert alert : alerts.stream().sorted(LOCK_ORDER).toList()) {
            final AuditEvent event = eventOf(alert, now);
            final int inserted = handle.createUpdate("INSERT INTO audit_alerts (id, rule, subject, window_start, raised_at, body,"
                            + " delivered_to, attempts, next_attempt_at) VALUES (:id, :rule, :subject, :windowStart, :raisedAt, :body,"
                            + " '', 0, :raisedAt) ON CONFLICT DO NOTHING")
                    .registerArgument(new UtcInstantArgumentFactory())
                    .bind("id", event.id()).bind("rule", alert.rule()).bind("subject", alert.subject())
                    .bind("windowStart", alert.windowStart()).bind("raisedAt", now).bind("body", body(alert, event))
                    .execute();
            if (inserted == 1) {
                raised.add(event);
            }
        }
        sink.insertAll(raised);  // joins handle's transaction: the same Jdbi, on the same thread
        return raised;
    }

    /** The {@code alert.raised} event: the rule as its reason, the subject in its own column, the trigger's key and address. */
    AuditEvent eventOf(Alert alert, Instant now) {
        final AuditEvent t = alert.trigger();
        final AuditEvent.Builder event = AuditEvent.builder(AuditEventTypes.ALERT_RAISED, AuditEvent.SUCCESS, now)
                .reason(alert.rule()).instanceId(instanceId).actor(ACTOR, SURFACE);
        if (t != null) {
            event.key(t.keyId(), t.keyName(), t.keyPrefix()).userId(t.userId())
                    .request(t.clientAddress(), null, null, null).fingerprint(t.fingerprint());
        }
        return event.build();
    }

    /** The JSON every destination receives, fixed when the alert is raised: each retry sends the same bytes. */
    static String body(Alert alert, AuditEvent raised) {
        final ObjectNode body = JSON.createObjectNode();
        body.put("id", raised.id().toString());
        body.put("type", AuditEventTypes.ALERT_RAISED);
        body.put("rule", alert.rule());
        body.put("subject", alert.subject());
        body.put("raised_at", raised.occurredAt().toString());
        body.put("window_start", alert.windowStart().toString());
        body.put("window_end", alert.windowStart().plus(alert.window()).toString());
        body.put("count", alert.count());
        if (alert.threshold() != null) {
            body.put("threshold", alert.threshold());
        }
        body.put("test", AlertRules.TEST.equals(alert.rule()));
        if (alert.trigger() != null) {
            body.set("event", AuditWireFormat.toJson(alert.trigger()));
        }
        return body.toString();
    }

    /** A test alert (the {@code test-alert} task): raised at once, through the same outbox and delivery. */
    public AuditEvent raiseTest(org.jdbi.v3.core.Jdbi jdbi, String requestedBy) {
        final Instant now = clock.instant();
        final Alert test = new Alert(AlertRules.TEST, "test:" + UUID.randomUUID() + (requestedBy == null ? "" : " by:" + requestedBy),
                now, java.time.Duration.ZERO.plusSeconds(1), 1, null, null);
        return jdbi.inTransaction(handle -> raise(handle, List.of(test))).get(0);
    }
}
