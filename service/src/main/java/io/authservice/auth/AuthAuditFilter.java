package io.authservice.auth;

import com.codahale.metrics.Meter;
import com.codahale.metrics.MetricRegistry;
import io.authservice.audit.AuditEvent;
import io.authservice.audit.AuditLog;
import io.authservice.audit.AuditReasons;
import io.authservice.audittransport.AuditUnavailableException;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerResponseContext;
import jakarta.ws.rs.container.ContainerResponseFilter;
import jakarta.ws.rs.core.Response;

import java.lang.annotation.Annotation;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * When a request that presented a credential is answered, hands its one audit event to the audit
 * log, with the status answered: the request's {@link ApiKeyOutcome} (also counted in the metrics,
 * {@code auth.api-key.used}, {@code auth.api-key.rejected.<reason>}), or its rejected access token's
 * {@link JwtOutcome.Rejected}. In {@code reject} mode, when the event cannot be journaled, the answer
 * becomes 503 instead.
 */
public final class AuthAuditFilter implements ContainerResponseFilter {
    private static final List<String> OUTCOMES = List.of(ApiKeyOutcome.USED, AuditReasons.MALFORMED, AuditReasons.UNKNOWN,
            AuditReasons.INACTIVE, AuditReasons.EXPIRED, AuditReasons.INSUFFICIENT_SCOPE, AuditReasons.THROTTLED,
            AuditReasons.STORE_UNAVAILABLE, AuditReasons.ADDRESS_NOT_ALLOWED, AuditReasons.RATE_LIMITED);

    private final AuditLog audit;
    private final Clock clock;
    private final String instanceId;
    private final Map<String, Meter> meters;

    public AuthAuditFilter(AuditLog audit, Clock clock, String instanceId, MetricRegistry metrics) {
        this.audit = audit;
        this.clock = clock;
        this.instanceId = instanceId;
        this.meters = OUTCOMES.stream().collect(Collectors.toUnmodifiableMap(Function.identity(),
                outcome -> metrics.meter(outcome.equals(ApiKeyOutcome.USED) ? "auth.api-key.used" : "auth.api-key.rejected." + outcome)));
    }

    @Override
    public void filter(ContainerRequestContext request, ContainerResponseContext response) {
        final AuditEvent event;
        if (request.getProperty(ApiKeyOutcome.PROPERTY) instanceof ApiKeyOutcome outcome) {
            final Meter meter = meters.get(outcome.outcome());
            if (meter != null) {
                meter.mark();
            }
            event = outcome.toEvent(response.getStatus(), clock.instant(), instanceId);
        } else if (request.getProperty(JwtOutcome.PROPERTY) instanceof JwtOutcome.Rejected rejected) {
            event = rejected.toEvent(response.getStatus(), clock.instant(), instanceId);
        } else {
            return;
        }
        try {
            audit.record(event);
        } catch (AuditUnavailableException e) {
            refuse(response);
        }
    }

    /** Reject mode, the event not journaled: the answer becomes {@link AuditUnavailableException#response()}. */
    private static void refuse(ContainerResponseContext response) {
        final Response refusal = AuditUnavailableException.response();
        response.setStatus(refusal.getStatus());
        response.getHeaders().clear();
        response.getHeaders().putAll(refusal.getHeaders());
        response.setEntity(refusal.getEntity(), new Annotation[0], refusal.getMediaType());
    }
}
