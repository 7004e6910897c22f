package io.authservice.audittransport;

import com.codahale.metrics.Counter;
import com.codahale.metrics.MetricRegistry;
import io.authservice.audit.AuditEvent;
import io.authservice.audit.AuditLog;
import io.authservice.config.AuditConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The audit seam of the {@code direct} and {@code kafka} sinks: appends each event to the audit
 * journal on the calling (request) thread, before its answer is written; the {@link AuditShipper}
 * takes it from there. When the journal cannot take an event, {@code serve} mode counts it in
 * {@code audit.dropped} and logs its id; {@code reject} mode throws {@link AuditUnavailableException}
 * (503 for the request).
 */
public final class JournaledAuditLog implements AuditLog {
    private static final Logger LOG = LoggerFactory.getLogger(JournaledAuditLog.class);

    private final AuditJournal journal;
    private final AuditConfig.FailureMode failureMode;
    private final Counter dropped;

    public JournaledAuditLog(AuditJournal journal, AuditConfig.FailureMode failureMode, MetricRegistry metrics) {
        this.journal = journal;
        this.failureMode = failureMode;
        this.dropped = metrics.counter("audit.dropped");
    }

    /**
     * Journals the event. Throws {@link AuditUnavailableException} only in {@code reject} mode, when
     * the journal refused it.
     */
    @Override
    public void record(AuditEvent event) {
        if (append(event)) {
            return;
        }
        if (failureMode == AuditConfig.FailureMode.reject) {
            LOG.warn("audit journal cannot take event {} ({}); its request is refused", event.id(), event.type());
            throw new AuditUnavailableException(event.id());
        }
        dropped.inc();
        LOG.error("audit journal cannot take event {} ({}); dropped", event.id(), event.type());
    }

    private boolean append(AuditEvent event) {
        try {
            return journal.append(JournalPayload.of(event));
        } catch (RuntimeException e) {
            LOG.error("appending audit event {} to the journal failed: {}", event.id(), e.toString());
            return false;
        }
    }
}
