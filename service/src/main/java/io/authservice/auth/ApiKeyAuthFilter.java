package io.authservice.auth;

import io.authservice.core.Caller;
import io.dropwizard.auth.AuthFilter;
import jakarta.annotation.Priority;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;

import java.util.Optional;

/**
 * Authenticates a request by its {@code X-API-Key} header (never a query parameter), the one place
 * that reads it. A missing header is answered 401 (or left to the next link of a chain); a presented
 * key is judged by {@link ApiKeyAuthenticator}, whose {@link ApiKeyOutcome} travels with the request
 * (for the scope check and the audit event) and, when refused, is the answer: the one 401 for every
 * bad key, 429 for a throttled address, 503 when the key store cannot be read.
 */
@Priority(Priorities.AUTHENTICATION)
public final class ApiKeyAuthFilter extends AuthFilter<ApiKeyOutcome.Accepted, Caller> {
    public static final String HEADER = "X-API-Key";
    /** The scheme named in {@code WWW-Authenticate} and the security context. */
    public static final String SCHEME = "ApiKey";

    private ApiKeyAuthenticator keys;

    private ApiKeyAuthFilter() {
    }

    @Override
    public void filter(ContainerRequestContext request) {
        final String presented = presented(request);
        if (presented == null) {
            throw unauthorizedHandler.buildException(prefix, realm);
        }
        final ApiKeyOutcome outcome = keys.authenticate(presented, Origin.of(request));
        request.setProperty(ApiKeyOutcome.PROPERTY, outcome);
        if (outcome instanceof ApiKeyOutcome.Refused refused) {
            throw refused.answer(prefix, realm);
        }
        // installs the security context (the caller, the scope check) as every dropwizard-auth filter does
        authenticate(request, (ApiKeyOutcome.Accepted) outcome, SCHEME);
    }

    /** The request's {@code X-API-Key} value, or null when it presents none. */
    public static String presented(ContainerRequestContext request) {
        return request.getHeaderString(HEADER);
    }

    /** Builds the filter; the key authenticator is required (the principal is the accepted key's caller). */
    public static final class Builder extends AuthFilterBuilder<ApiKeyOutcome.Accepted, Caller, ApiKeyAuthFilter> {
        private ApiKeyAuthenticator keys;

        public Builder() {
            setAuthenticator(accepted -> Optional.of(accepted.caller()));
        }

        public Builder setKeyAuthenticator(ApiKeyAuthenticator value) {
            this.keys = value;
            return this;
        }

        @Override
        protected ApiKeyAuthFilter newInstance() {
            if (keys == null) {
                throw new IllegalStateException("an ApiKeyAuthenticator is required");
            }
            final ApiKeyAuthFilter filter = new ApiKeyAuthFilter();
            filter.keys = keys;
            return filter;
        }
    }
}
