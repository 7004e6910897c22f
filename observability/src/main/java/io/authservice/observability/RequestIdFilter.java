package io.authservice.observability;

import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.slf4j.MDC;

import java.io.IOException;

/**
 * Gives every request an id ({@link RequestIds}) before anything else sees it: set on the response's
 * {@value RequestIds#HEADER} header up front, so every answer carries it (the auth filters' 401, 403
 * and 429 and Jersey's 404 included); left in a request attribute, where Jersey filters read it as a
 * request property; and put in the SLF4J MDC for the request's log lines, removed when the request
 * leaves the thread. Mapped first on the application port.
 */
public final class RequestIdFilter implements Filter {
    /** Request attribute (and Jersey property) holding the request's id. */
    public static final String ATTRIBUTE = "io.authservice.request-id";

    @Override
    public void doFilter(ServletRequest req, ServletResponse resp, FilterChain chain) throws IOException, ServletException {
        final String id = RequestIds.accept(((HttpServletRequest) req).getHeader(RequestIds.HEADER));
        req.setAttribute(ATTRIBUTE, id);
        ((HttpServletResponse) resp).setHeader(RequestIds.HEADER, id);
        try (MDC.MDCCloseable ignored = MDC.putCloseable(RequestIds.MDC_KEY, id)) {
            chain.doFilter(req, resp);
        }
    }
}
