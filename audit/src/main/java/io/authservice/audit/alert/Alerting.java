package io.authservice.audit.alert;

import io.authservice.audit.AuditCounts;
import io.authservice.audit.AuditStore;
import io.authservice.audit.seal.SealedStores;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The alerting of one writing process, wired the same way in the service and the audit-consumer: the
 * rules as a step of every batch the process stores, and the outbox they raise alerts into, whose
 * {@code alert.raised} events are stored (sealed, counted) in a chain of their own,
 * {@code alerts:<writer>}, in the transaction of the batch that raised them.
 *
 * @param outbox empty when alerts are off
 * @param steps  the steps every batch of the process runs before its seal: the counts ({@link AuditCounts}), then the rules
 */
public record Alerting(Optional<AlertOutbox> outbox, List<AuditStore.BatchStep> steps) {
    /** The chain the alert.raised events of {@code writer} are sealed in. */
    public static String chainOf(String writer) {
        return "alerts:" + writer;
    }

    /**
     * @param sealed   the process's sealed stores, with the per-minute counts and without the rules
     * @param writer   names the process (the instance id, the consumer's host)
     */
    public static Alerting of(AlertConfig config, SealedStores sealed, String writer, Clock clock) {
        if (!config.isEnabled()) {
            return new Alerting(Optional.empty(), AuditCounts.steps());
        }
        final AlertOutbox outbox = new AlertOutbox(sealed.forChain(chainOf(writer)), clock, writer);
        final List<AuditStore.BatchStep> steps = new ArrayList<>(AuditCounts.steps());
        steps.add(new AlertRules(config, outbox));
        return new Alerting(Optional.of(outbox), steps);
    }
}
