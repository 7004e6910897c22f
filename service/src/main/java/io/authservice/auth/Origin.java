package io.authservice.auth;

import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.HttpHeaders;

/** Where a request came from and what it asked, for audit events. */
public record Origin(String clientAddress, String userAgent, String method, String path) {

    /** The request's origin; the client address as {@link ClientAddressFilter} resolved it. */
    public static Origin of(ContainerRequestContext request) {
        final Object resolved = request.getProperty(ClientAddressFilter.ATTRIBUTE);
        return new Origin(resolved == null ? "unknown" : resolved.toString(),
                request.getHeaderString(HttpHeaders.USER_AGENT), request.getMethod(),
                "/" + request.getUriInfo().getPath());
    }
}
