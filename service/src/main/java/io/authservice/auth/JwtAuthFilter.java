package io.authservice.auth;

import io.authservice.core.Caller;
import io.dropwizard.auth.AuthFilter;
import jakarta.annotation.Priority;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Cookie;
import jakarta.ws.rs.core.HttpHeaders;

import java.util.Optional;

/**
 * Authenticates a request by its access token: {@code Authorization: Bearer <token>}, else the
 * access cookie (the seed's "JWT token forwarding": a downstream service copies the person's
 * cookie onto its own request). When both are present the header decides; a bad header is not
 * rescued by a good cookie. Every refused token gets the same 401; its {@link JwtOutcome.Rejected}
 * travels with the request to the audit filter.
 */
@Priority(Priorities.AUTHENTICATION)
public final class JwtAuthFilter extends AuthFilter<Caller, Caller> {
    public static final String SCHEME = "Bearer";
    private static final String BEARER_PREFIX = "bearer ";

    private String cookieName;
    private JwtAuthenticator tokens;

    private JwtAuthFilter() {
    }

    @Override
    public void filter(ContainerRequestContext request) {
        final String token = presented(request, cookieName);
        if (token == null) {
            throw unauthorizedHandler.buildException(prefix, realm);
        }
        final JwtOutcome outcome = tokens.authenticate(token, Origin.of(request));
        if (outcome instanceof JwtOutcome.Rejected rejected) {
            request.setProperty(JwtOutcome.PROPERTY, rejected);
            throw unauthorizedHandler.buildException(prefix, realm);
        }
        // installs the security context (the person, the role check) as every dropwizard-auth filter does
        authenticate(request, ((JwtOutcome.Accepted) outcome).caller(), SCHEME);
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

    /** Builds the filter; the access cookie's name and the token authenticator are required. */
    public static final class Builder extends AuthFilterBuilder<Caller, Caller, JwtAuthFilter> {
        private String cookieName;
        private JwtAuthenticator tokens;

        public Builder() {
            setAuthenticator(Optional::of);
        }

        public Builder setCookieName(String value) {
            this.cookieName = value;
            return this;
        }

        public Builder setTokenAuthenticator(JwtAuthenticator value) {
            this.tokens = value;
            return this;
        }

        @Override
        protected JwtAuthFilter newInstance() {
            if (cookieName == null || tokens == null) {
                throw new IllegalStateException("the access cookie's name and a JwtAuthenticator are required");
            }
            final JwtAuthFilter filter = new JwtAuthFilter();
            filter.cookieName = cookieName;
            filter.tokens = tokens;
            return filter;
        }
    }
}
