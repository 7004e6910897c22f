package io.authservice.resources;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.dropwizard.jackson.Jackson;
import io.dropwizard.jersey.errors.ErrorMessage;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import java.io.IOException;
import java.util.List;
import java.util.Map;

/**
 * The one builder of error answers: {@code {"code","message"}} as JSON, with the header each kind
 * needs: {@code WWW-Authenticate} on a 401, {@code Retry-After} on a 429 or 503 that says when to
 * try again, and the {@code RateLimit-*} headers on a key's rate-limit 429. Jersey code throws the exceptions; a servlet filter (outside Jersey) {@linkplain #send sends}
 * the same answer.
 */
public final class ErrorResponses {
    public static final String RATE_LIMIT_LIMIT = "RateLimit-Limit";
    public static final String RATE_LIMIT_REMAINING = "RateLimit-Remaining";
    public static final String RATE_LIMIT_RESET = "RateLimit-Reset";
    private static final ObjectMapper JSON = Jackson.newObjectMapper();

    private ErrorResponses() {
    }

    /** {@code status} with {@code {"code","message"}}. */
    public static Response answer(int status, String message) {
        return json(Response.status(status), status, message);
    }

    /** {@code status} with {@code {"code","message"}}. */
    public static WebApplicationException refuse(Response.Status status, String message) {
        return new WebApplicationException(answer(status.getStatusCode(), message));
    }

    /** 401 with {@code WWW-Authenticate: <scheme> realm="<realm>"} and {@code {"code":401,"message"}}. */
    public static Response unauthorized(String scheme, String realm, String message) {
        final int status = Response.Status.UNAUTHORIZED.getStatusCode();
        return json(Response.status(status).header(HttpHeaders.WWW_AUTHENTICATE, scheme + " realm=\"" + realm + "\""),
                status, message);
    }

    /** {@code status} (429, 503) with {@code Retry-After: retryAfterSeconds} and {@code {"code","message"}}. */
    public static WebApplicationException retryLater(Response.Status status, long retryAfterSeconds, String message) {
        return new WebApplicationException(json(Response.status(status).header(HttpHeaders.RETRY_AFTER, retryAfterSeconds),
                status.getStatusCode(), message));
    }

    /** 429 with {@code Retry-After} and the {@code RateLimit-*} headers ({@link #rateLimitHeaders}). */
    public static WebApplicationException rateLimited(long retryAfterSeconds, long limit, long remaining, long resetSeconds,
                                                      String message) {
        final Response.ResponseBuilder builder = Response.status(Response.Status.TOO_MANY_REQUESTS)
                .header(HttpHeaders.RETRY_AFTER, retryAfterSeconds);
        rateLimitHeaders(limit, remaining, resetSeconds).forEach(builder::header);
        return new WebApplicationException(json(builder, Response.Status.TOO_MANY_REQUESTS.getStatusCode(), message));
    }

    /**
     * The IETF draft's {@code RateLimit-Limit} (requests per window), {@code RateLimit-Remaining} and
     * {@code RateLimit-Reset} (seconds until the quota is whole again), in that order.
     */
    public static Map<String, Object> rateLimitHeaders(long limit, long remaining, long resetSeconds) {
        final Map<String, Object> headers = new java.util.LinkedHashMap<>();
        headers.put(RATE_LIMIT_LIMIT, limit);
        headers.put(RATE_LIMIT_REMAINING, remaining);
        headers.put(RATE_LIMIT_RESET, resetSeconds);
        return headers;
    }

    /** Sends {@code answer} (one of this class's) through a servlet response, for a filter outside Jersey. */
    public static void send(Response answer, HttpServletResponse response) throws IOException {
        response.setStatus(answer.getStatus());
        for (Map.Entry<String, List<Object>> header : answer.getHeaders().entrySet()) {
            for (Object value : header.getValue()) {
                response.addHeader(header.getKey(), String.valueOf(value));
            }
        }
        response.setContentType(MediaType.APPLICATION_JSON);
        JSON.writeValue(response.getWriter(), answer.getEntity());
    }

    private static Response json(Response.ResponseBuilder builder, int status, String message) {
        return builder.type(MediaType.APPLICATION_JSON_TYPE).entity(new ErrorMessage(status, message)).build();
    }
}
