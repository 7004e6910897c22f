package io.authservice.tasks;

import io.authservice.resources.ErrorResponses;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/**
 * Guards every admin task (ours and Dropwizard's own {@code gc} and {@code log-level}): the request
 * must carry the admin token in {@code X-Admin-Token}. Dropwizard's admin port has no
 * authentication of its own.
 */
public final class AdminTokenFilter implements Filter {
    public static final String HEADER = "X-Admin-Token";
    private static final String SCHEME = "AdminToken";
    private static final String REALM = "admin";
    private static final String REQUIRED = "the admin token is required in the " + HEADER + " header";
    private static final Logger LOG = LoggerFactory.getLogger(AdminTokenFilter.class);

    private final byte[] expected;

    public AdminTokenFilter(String token) {
        if (token == null || token.isBlank()) {
            throw new IllegalArgumentException("the admin token must not be empty");
        }
        this.expected = token.getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public void doFilter(ServletRequest req, ServletResponse resp, FilterChain chain) throws IOException, ServletException {
        final HttpServletRequest request = (HttpServletRequest) req;
        final HttpServletResponse response = (HttpServletResponse) resp;
        final String presented = request.getHeader(HEADER);
        if (presented == null || !MessageDigest.isEqual(presented.getBytes(StandardCharsets.UTF_8), expected)) {
            LOG.warn("admin task {} refused: {} admin token from {}", request.getPathInfo(),
                    presented == null ? "no" : "wrong", request.getRemoteAddr());
            ErrorResponses.send(ErrorResponses.unauthorized(SCHEME, REALM, REQUIRED), response);
            return;
        }
        CurrentTaskExchange.run(request, response, () -> chain.doFilter(req, resp));
    }
}
