package io.authservice.auth;

import io.authservice.auditing.AuditRecorder;
import io.dropwizard.jersey.errors.ErrorMessage;
import jakarta.annotation.Priority;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.container.PreMatching;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/**
 * {@code audit.failureMode: reject} (fail-closed, as Vault does): while the audit sink cannot record
 * an event (its queue and spool are full or failing), a request presenting an API key is answered
 * 503 with {@code Retry-After} before it is looked at. Other requests are served.
 */
@PreMatching
@Priority(Priorities.AUTHENTICATION - 100)
public final class AuditRejectFilter implements ContainerRequestFilter {
    public static final String MESSAGE = "The audit trail cannot record this request now; retry later.";
    private static final int RETRY_AFTER_SECONDS = 5;

    private final AuditRecorder audit;

    public AuditRejectFilter(AuditRecorder audit) {
        this.audit = audit;
    }

    @Override
    public void filter(ContainerRequestContext request) {
        if (request.getHeaderString(ApiKeyAuthFilter.HEADER) != null && !audit.canRecord()) {
            request.abortWith(Response.status(Response.Status.SERVICE_UNAVAILABLE)
                    .header(HttpHeaders.RETRY_AFTER, RETRY_AFTER_SECONDS)
                    .type(MediaType.APPLICATION_JSON_TYPE)
                    .entity(new ErrorMessage(503, MESSAGE))
                    .build());
        }
    }
}
