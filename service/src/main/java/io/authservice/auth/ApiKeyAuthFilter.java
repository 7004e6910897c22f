package io.authservice.auth;

import io.authservice.audit.AuditReasons;
import io.authservice.core.Caller;
import io.dropwizard.auth.AuthFilter;
import io.dropwizard.jersey.errors.ErrorMessage;
import jakarta.annotation.Priority;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/**
 * Authenticates a request by its {@code X-API-Key} header (never a query parameter). A missing
 * header is answered 401 (or left to the next link of a chain); a throttled client address is
 * answered 429 with {@code Retry-After} before any lookup; every bad key gets the same 401. Each
 * presented key is counted against its address before it is looked up and given back if it is good.
 */
@Priority(Priorities.AUTHENTICATION)
public final class ApiKeyAuthFilter extends AuthFilter<ApiKeyCredentials, Caller> {
    public static final String HEADER = "X-API-Key";
    /** The scheme named in {@code WWW-Authenticate} and the security context. */
    public static final String SCHEME = "ApiKey";

    private FailedAttemptThrottle throttle;

    private ApiKeyAuthFilter() {
    }

    @Override
    public void filter(ContainerRequestContext request) {
        final String presented = request.getHeaderString(HEADER);
        if (presented == null) {
            throw unauthorizedHandler.buildException(prefix, realm);
        }
        final Origin origin = Origin.of(request);
        final AuthAttempt attempt = new AuthAttempt(origin);
        request.setProperty(AuthAttempt.PROPERTY, attempt);

        // counted before the check and given back if the key is good: no window checks more bad keys than the limit
        final FailedAttemptThrottle.Verdict verdict = throttle.tryAcquire(origin.throttleKey());
        if (verdict instanceof FailedAttemptThrottle.Throttled throttled) {
            attempt.reject(AuditReasons.THROTTLED, null);
            throw new WebApplicationException(Response.status(Response.Status.TOO_MANY_REQUESTS)
                    .header(HttpHeaders.RETRY_AFTER, throttled.retryAfterSeconds())
                    .type(MediaType.APPLICATION_JSON_TYPE)
                    .entity(new ErrorMessage(429, "Too many failed attempts from this address; retry later."))
                    .build());
        }
        try (FailedAttemptThrottle.Attempt counted = (FailedAttemptThrottle.Attempt) verdict) {
            if (!authenticate(request, new ApiKeyCredentials(presented, attempt), SCHEME)) {
                counted.failed();
                throw unauthorizedHandler.buildException(prefix, realm);
            }
        }
    }

    /** Builds the filter; the throttle is required. */
    public static final class Builder extends AuthFilterBuilder<ApiKeyCredentials, Caller, ApiKeyAuthFilter> {
        private FailedAttemptThrottle throttle;

        public Builder setThrottle(FailedAttemptThrottle value) {
            this.throttle = value;
            return this;
        }

        @Override
        protected ApiKeyAuthFilter newInstance() {
            if (throttle == null) {
                throw new IllegalStateException("a FailedAttemptThrottle is required");
            }
            final ApiKeyAuthFilter filter = new ApiKeyAuthFilter();
            filter.throttle = throttle;
            return filter;
        }
    }
}
