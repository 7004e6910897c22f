package io.authservice.auth;

import io.authservice.audit.AuditEvent;
import io.authservice.observability.RequestIdFilter;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.HttpHeaders;

/** Where a request came from and what it asked, for audit events. */
public record Origin(String clientAddress, String userAgent, String method, String path, String requestId) {

    /**
     * The request's origin: the client address as {@link ClientAddressFilter} resolved it, the id
     * {@link RequestIdFilter} gave it.
     */
    public static Origin of(ContainerRequestContext request) {
        final Object resolved = request.getProperty(ClientAddressFilter.ATTRIBUTE);
        final Object requestId = request.getProperty(RequestIdFilter.ATTRIBUTE);
        return new Origin(resolved == null ? "unknown" : resolved.toString(),
                request.getHeaderString(HttpHeaders.USER_AGENT), request.getMethod(),
                "/" + request.getUriInfo().getPath(), requestId == null ? null : requestId.toString());
    }

    /** Puts this origin into {@code event}: client address, user agent, method, path and request id. */
    public AuditEvent.Builder describe(AuditEvent.Builder event) {
        return event.request(clientAddress, userAgent, method, path).requestId(requestId);
    }
}
