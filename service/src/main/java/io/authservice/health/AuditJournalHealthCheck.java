package io.authservice.health;

import com.codahale.metrics.health.HealthCheck;
import io.authservice.audittransport.AuditJournal;
import io.authservice.audittransport.AuditShipper;

import java.time.Duration;

/**
 * Healthy while the audit trail keeps up: the oldest journaled event not yet shipped is younger than
 * the threshold, and the journal is under its size limit (past it, events are dropped or their
 * requests refused).
 */
public final class AuditJournalHealthCheck extends HealthCheck {
    private final AuditJournal journal;
    private final AuditShipper shipper;
    private final Duration threshold;

    public AuditJournalHealthCheck(AuditJournal journal, AuditShipper shipper, Duration threshold) {
        this.journal = journal;
        this.shipper = shipper;
        this.threshold = threshold;
    }

    @Override
    protected Result check() {
        final long lag = shipper.lagMillis();
        final long bytes = journal.bytes();
        if (journal.full()) {
            return Result.unhealthy("the audit journal is full (%d bytes); events cannot be journaled, oldest unshipped %d ms old",
                    bytes, lag);
        }
        if (lag > threshold.toMillis()) {
            return Result.unhealthy("the oldest audit event not yet shipped is %d ms old (threshold %d ms); journal %d bytes",
                    lag, threshold.toMillis(), bytes);
        }
        return Result.healthy("oldest unshipped event %d ms old; journal %d bytes", lag, bytes);
    }
}
