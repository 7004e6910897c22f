package io.authservice.auth;

import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;

import java.io.IOException;
import java.util.Collections;

/**
 * Resolves each request's client address (and the key it is throttled by) once and leaves them in
 * request attributes, where Jersey filters read them as request properties.
 */
public final class ClientAddressFilter implements Filter {
    /** Request attribute (and Jersey property) holding the resolved client address. */
    public static final String ATTRIBUTE = "io.authservice.client-address";
    /** Request attribute (and Jersey property) holding the key the client address is throttled by. */
    public static final String THROTTLE_KEY_ATTRIBUTE = "io.authservice.client-throttle-key";

    private final ClientAddresses addresses;

    public ClientAddressFilter(ClientAddresses addresses) {
        this.addresses = addresses;
    }

    @Override
    public void doFilter(ServletRequest req, ServletResponse resp, FilterChain chain) throws IOException, ServletException {
        final HttpServletRequest request = (HttpServletRequest) req;
        final String client = addresses.resolve(request.getRemoteAddr(),
                Collections.list(request.getHeaders("X-Forwarded-For")));
        request.setAttribute(ATTRIBUTE, client);
        request.setAttribute(THROTTLE_KEY_ATTRIBUTE, addresses.throttleKey(client));
        chain.doFilter(req, resp);
    }
}
