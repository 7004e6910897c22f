package io.authservice.audit;

/**
 * The seam through which every key use, failed attempt and lifecycle change leaves the service.
 *
 * <p>Implementations must not block the caller on I/O for long. They throw only to refuse the
 * request whose event they cannot record, when the service is configured to (fail-closed); otherwise
 * a request is answered whether or not its event could be recorded.
 */
@FunctionalInterface
public interface AuditLog {

    /** Hands one event to the transport behind this seam. */
    void record(AuditEvent event);
}
