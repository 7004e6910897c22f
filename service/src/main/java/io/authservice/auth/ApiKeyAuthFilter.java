package io.authservice.auth;

import io.authservice.audit.AuditReasons;
import io.authservice.core.Caller;
import io.authservice.resources.ErrorResponses;
import io.dropwizard.auth.AuthFilter;
import jakarta.annotation.Priority;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Authenticates a request by its {@code X-API-Key} header (never a query parameter). A missing
 * header is answered 401 (or left to the next link of a chain); a throttled client address is
 * answered 429 with {@code Retry-After} before any lookup; every bad key gets the same 401. Each
 * presented key is counted against its address before it is looked up and given back if it is good.
 * A key that cannot be looked up (not cached, the store down) is answered 503 with {@code Retry-After}.
 */
@Priority(Priorities.AUTHENTICATION)
public final class ApiKeyAuthFilter extends AuthFilter<ApiKeyCredentials, Caller> {
    public static final String HEADER = "X-API-Key";
    /** The scheme named in {@code WWW-Authenticate} and the security context. */
    public static final String SCHEME = "ApiKey";
    public static final String STORE_UNAVAILABLE = "The API key store cannot be read now; retry later.";
    static final int STORE_RETRY_AFTER_SECONDS = 5;
    private static final Logger LOG = LoggerFactory.getLogger(ApiKeyAuthFilter.class);

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
            throw ErrorResponses.retryLater(Response.Status.TOO_MANY_REQUESTS, throttled.retryAfterSeconds(),
                    "Too many failed attempts from this address; retry later.");
        }
        try (FailedAttemptThrottle.Attempt counted = (FailedAttemptThrottle.Attempt) verdict) {
            if (!authenticate(request, new ApiKeyCredentials(presented, attempt), SCHEME)) {
                counted.failed();
                throw unauthorizedHandler.buildException(prefix, realm);
            }
        } catch (KeyStoreUnavailableException e) {
            // an outage, not a bad key: the attempt was given back to the throttle
            LOG.warn("answering 503: {}: {}", e.getMessage(), e.getCause().toString());
            throw ErrorResponses.retryLater(Response.Status.SERVICE_UNAVAILABLE, STORE_RETRY_AFTER_SECONDS, STORE_UNAVAILABLE);
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
