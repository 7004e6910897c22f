package io.authservice.console;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import java.io.IOException;
import java.util.Map;

/**
 * The console's answers may run only the console's own scripts and styles, in no frame, and tell
 * nothing of where the person came from: a strict Content-Security-Policy (no inline script or
 * style, no plugins, no base or form elsewhere), {@code X-Frame-Options: DENY},
 * {@code X-Content-Type-Options: nosniff} and {@code Referrer-Policy: no-referrer}. Other pages
 * (Swagger UI) take the same headers with a policy of their own.
 */
public final class ConsoleHeadersFilter extends HttpFilter {
    public static final String CONTENT_SECURITY_POLICY = "default-src 'self'; script-src 'self'; style-src 'self'; "
            + "object-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";
    public static final Map<String, String> HEADERS = Map.of(
            "Content-Security-Policy", CONTENT_SECURITY_POLICY,
            "X-Frame-Options", "DENY",
            "X-Content-Type-Options", "nosniff",
            "Referrer-Policy", "no-referrer");

    private final Map<String, String> headers;

    /** The console's headers. */
    public ConsoleHeadersFilter() {
        this(CONTENT_SECURITY_POLICY);
    }

    /** The console's headers with another Content-Security-Policy. */
    public ConsoleHeadersFilter(String contentSecurityPolicy) {
        final Map<String, String> chosen = new java.util.HashMap<>(HEADERS);
        chosen.put("Content-Security-Policy", contentSecurityPolicy);
        this.headers = Map.copyOf(chosen);
    }

    @Override
    protected void doFilter(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        headers.forEach(response::setHeader);
        chain.doFilter(request, response);
    }
}
