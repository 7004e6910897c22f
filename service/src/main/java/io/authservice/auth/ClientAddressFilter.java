package io.authservice.auth;

import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;

import java.io.IOException;

/**
 * Resolves each request's client address once and leaves it in a request attribute, where Jersey
 * filters read it as a request property.
 */
public final class ClientAddressFilter implements Filter {
    /** Request attribute (and Jersey property) holding the resolved client address. */
    public static final String ATTRIBUTE = "io.authservice.client-address";

    private final ClientAddresses addresses;

    public ClientAddressFilter(ClientAddresses addresses) {
        this.addresses = addresses;
    }

    @Override
    public void doFilter(ServletRequest req, ServletResponse resp, FilterChain chain) throws IOException, ServletException {
        final HttpServletRequest request = (HttpServletRequest) req;
        request.setAttribute(ATTRIBUTE, addresses.resolve(request.getRemoteAddr(), request.getHeader("X-Forwarded-For")));
        chain.doFilter(req, resp);
    }
}
