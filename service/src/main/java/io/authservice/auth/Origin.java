package io.authservice.auth;

import io.authservice.audit.AuditEvent;
import io.authservice.observability.RequestIdFilter;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.HttpHeaders;

/**
 * Where a request came from and what it asked, for audit events; and the key its client address is
 * throttled by (for IPv6, the client's network: see {@link ClientAddresses#throttleKey}).
 */
public record Origin(String clientAddress, String throttleKey, String userAgent, String method, String path,
                     String requestId) {

    /**
     * The request's origin: the client address and its throttle key as {@link ClientAddressFilter}
     * resolved them, the id {@link RequestIdFilter} gave it.
     */
    public static Origin of(ContainerRequestContext request) {
        final Object resolved = request.getProperty(ClientAddressFilter.ATTRIBUTE);
        final Object throttleKey = request.getProperty(ClientAddressFilter.THROTTLE_KEY_ATTRIBUTE);
        final Object requestId = request.getProperty(RequestIdFilter.ATTRIBUTE);
        final String address = resolved == null ? "unknown" : resolved.toString();
        return new Origin(address, throttleKey == null ? address : throttleKey.toString(),
                request.getHeaderString(HttpHeaders.USER_AGENT), request.getMethod(),
                "/" + request.getUriInfo().getPath(), requestId == null ? null : requestId.toString());
    }

    /** Puts this origin into {@code event}: client address, user agent, method, path and request id. */
    public AuditEvent.Builder describe(AuditEvent.Builder event) {
        return event.request(clientAddress, userAgent, method, path).requestId(requestId);
    }
}
