package io.authservice.audit;

/**
 * The seam through which every key use, failed attempt and lifecycle change leaves the service.
 *
 * <p>Implementations must not block the caller on I/O for long and must never throw: a request is
 * answered whether or not its event could be recorded (the transport decides what "recorded" means).
 */
@FunctionalInterface
public interface AuditLog {

    /** Hands one event to the transport behind this seam. */
    void record(AuditEvent event);
}
