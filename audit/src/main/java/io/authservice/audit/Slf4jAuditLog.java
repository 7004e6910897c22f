package io.authservice.audit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes each event as one log line on the {@code audit} logger: successes at INFO, failures at
 * WARN. The seed service's "log API key usage" behaviour, and the fallback transport.
 */
public final class Slf4jAuditLog implements AuditLog {
    private static final Logger LOG = LoggerFactory.getLogger("audit");

    @Override
    public void record(AuditEvent e) {
        if (AuditEvent.SUCCESS.equals(e.outcome())) {
            LOG.info("{} id={} key={} ({}) client={} {} {} status={} actor={}",
                    e.type(), e.id(), e.keyName(), e.keyPrefix(), e.clientAddress(), e.method(), e.path(),
                    e.status(), e.actor());
        } else {
            LOG.warn("{} id={} reason={} key={} ({}) client={} {} {} status={}",
                    e.type(), e.id(), e.reason(), e.keyName(), e.keyPrefix(), e.clientAddress(), e.method(),
                    e.path(), e.status());
        }
    }
}
