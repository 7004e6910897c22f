package io.authservice.audittransport;

import io.authservice.core.RequestRefusedException;
import io.authservice.resources.ErrorResponses;
import jakarta.ws.rs.core.Response;

import java.util.UUID;

/**
 * {@code audit.failureMode: reject}: the event of the request being served cannot be journaled,
 * so the request is refused: 503 with {@code Retry-After} in the JSON error shape
 * ({@link #response()}), from a resource (through {@link AuditUnavailableExceptionMapper}), from the
 * authentication filters, from the response filter that records key use, and (as a
 * {@link RequestRefusedException}) from an admin task.
 */
public final class AuditUnavailableException extends RequestRefusedException {
    public static final String MESSAGE = "The audit trail cannot record this request now; retry later.";
    public static final int RETRY_AFTER_SECONDS = 5;

    private final UUID eventId;

    public AuditUnavailableException(UUID eventId) {
        super(Response.Status.SERVICE_UNAVAILABLE.getStatusCode(), MESSAGE);
        this.eventId = eventId;
    }

    /** The id of the event that could not be journaled. */
    public UUID eventId() {
        return eventId;
    }

    /** The answer to a request whose event could not be journaled. */
    public static Response response() {
        return ErrorResponses.retryLater(Response.Status.SERVICE_UNAVAILABLE, RETRY_AFTER_SECONDS, MESSAGE).getResponse();
    }
}
