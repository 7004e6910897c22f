package io.authservice.cli;

import io.authservice.audit.AuditEvent;
import io.authservice.audit.AuditLog;
import io.authservice.audit.AuditStore;
import io.authservice.audit.Slf4jAuditLog;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A command's audit log with the {@code direct} or {@code kafka} sink: a command is short-lived, so
 * each event goes into the audit store at once (under {@code kafka} beside what the audit-consumer
 * writes; the store keeps each event id once). An event the store refuses is written to the audit logger instead.
 */
final class StoreAuditLog implements AuditLog {
    private static final Logger LOG = LoggerFactory.getLogger(StoreAuditLog.class);

    private final AuditStore store;
    private final AuditLog fallback = new Slf4jAuditLog();

    StoreAuditLog(AuditStore store) {
        this.store = store;
    }

    @Override
    public void record(AuditEvent event) {
        try {
            store.insert(event);
        } catch (RuntimeException e) {
            LOG.error("audit event {} not stored ({}); logging it instead", event.id(), e.getMessage());
            fallback.record(event);
        }
    }
}
