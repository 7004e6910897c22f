package io.authservice.auth;

import jakarta.annotation.Priority;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;

/**
 * The authentication chain: the API key first, then the access token. The first credential the
 * request <em>presents</em> decides alone:
 * <ul>
 *   <li>an {@code X-API-Key} header is checked by the key filter (throttle, 401, audit as always),
 *       and any token beside it is not looked at: a valid key with any token is the service;</li>
 *   <li>otherwise a bearer header or access cookie is checked by the token filter;</li>
 *   <li>a presented credential that fails is answered 401; it never falls through to the next one.</li>
 * </ul>
 * dropwizard-auth's {@code ChainedAuthFilter} would try the token whenever the key failed, so a bad
 * key with a good token would pass; this filter is why it does not. With no credential at all the
 * key filter answers, as before (401 with the {@code ApiKey} challenge).
 */
@Priority(Priorities.AUTHENTICATION)
public final class CredentialChainFilter implements ContainerRequestFilter {
    private final ApiKeyAuthFilter apiKeys;
    private final JwtAuthFilter tokens;

    public CredentialChainFilter(ApiKeyAuthFilter apiKeys, JwtAuthFilter tokens) {
        this.apiKeys = apiKeys;
        this.tokens = tokens;
    }

    @Override
    public void filter(ContainerRequestContext request) {
        if (ApiKeyAuthFilter.presented(request) == null && tokens.presents(request)) {
            tokens.filter(request);
        } else {
            apiKeys.filter(request);
        }
    }
}
