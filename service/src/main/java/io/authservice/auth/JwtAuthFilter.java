package io.authservice.auth;

import io.authservice.core.Caller;
import io.dropwizard.auth.AuthFilter;
import jakarta.annotation.Priority;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Cookie;
import jakarta.ws.rs.core.HttpHeaders;

/**
 * Authenticates a request by its access token: {@code Authorization: Bearer <token>}, else the
 * access cookie (the seed's "JWT token forwarding": a downstream service copies the person's
 * cookie onto its own request). When both are present the header decides; a bad header is not
 * rescued by a good cookie. Every refused token gets the same 401.
 */
@Priority(Priorities.AUTHENTICATION)
public final class JwtAuthFilter extends AuthFilter<JwtCredentials, Caller> {
    public static final String SCHEME = "Bearer";
    private static final String BEARER_PREFIX = "bearer ";

    private String cookieName;

    private JwtAuthFilter() {
    }

    @Override
    public void filter(ContainerRequestContext request) {
        final String token = presented(request, cookieName);
        if (token == null || !authenticate(request, new JwtCredentials(token, Origin.of(request)), SCHEME)) {
            throw unauthorizedHandler.buildException(prefix, realm);
        }
    }

    /** Whether the request carries an access token in the header or the cookie. */
    public boolean presents(ContainerRequestContext request) {
        return presented(request, cookieName) != null;
    }

    static String presented(ContainerRequestContext request, String cookieName) {
        final String authorization = request.getHeaderString(HttpHeaders.AUTHORIZATION);
        if (authorization != null && authorization.length() >= BEARER_PREFIX.length()
                && authorization.regionMatches(true, 0, BEARER_PREFIX, 0, BEARER_PREFIX.length())) {
            return authorization.substring(BEARER_PREFIX.length()).trim();
        }
        final Cookie cookie = request.getCookies().get(cookieName);
        return cookie == null ? null : cookie.getValue();
    }

    /** Builds the filter; the access cookie's name is required. */
    public static final class Builder extends AuthFilterBuilder<JwtCredentials, Caller, JwtAuthFilter> {
        private String cookieName;

        public Builder setCookieName(String value) {
            this.cookieName = value;
            return this;
        }

        @Override
        protected JwtAuthFilter newInstance() {
            if (cookieName == null) {
                throw new IllegalStateException("the access cookie's name is required");
            }
            final JwtAuthFilter filter = new JwtAuthFilter();
            filter.cookieName = cookieName;
            return filter;
        }
    }
}
