package io.authservice.auth;

import io.authservice.resources.ErrorResponses;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerResponseContext;
import jakarta.ws.rs.container.ContainerResponseFilter;

/**
 * Puts the {@code RateLimit-Limit}, {@code RateLimit-Remaining} and {@code RateLimit-Reset} headers
 * on every answer to a request whose key has a rate limit and was let through (a refusal past the
 * limit carries them already, see {@link ApiKeyOutcome.Refused#answer}).
 */
public final class RateLimitHeadersFilter implements ContainerResponseFilter {
    @Override
    public void filter(ContainerRequestContext request, ContainerResponseContext response) {
        if (request.getProperty(ApiKeyOutcome.PROPERTY) instanceof ApiKeyOutcome.Accepted accepted
                && accepted.rateLimit() != null && !response.getHeaders().containsKey(ErrorResponses.RATE_LIMIT_LIMIT)) {
            final ApiKeyRateLimiter.Verdict rate = accepted.rateLimit();
            ErrorResponses.rateLimitHeaders(rate.limit(), rate.remaining(), rate.resetSeconds())
                    .forEach(response.getHeaders()::add);
        }
    }
}
