package io.authservice.resources;

import io.dropwizard.jersey.errors.ErrorMessage;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/** Refusals in the JSON error shape; those that tell the caller when to try again carry {@code Retry-After}. */
public final class ErrorResponses {
    private ErrorResponses() {
    }

    /** {@code status} with {@code {"code","message"}}. */
    public static WebApplicationException refuse(Response.Status status, String message) {
        return new WebApplicationException(Response.status(status)
                .type(MediaType.APPLICATION_JSON_TYPE)
                .entity(new ErrorMessage(status.getStatusCode(), message))
                .build());
    }

    /** {@code status} (429, 503) with {@code Retry-After: retryAfterSeconds} and {@code {"code","message"}}. */
    public static WebApplicationException retryLater(Response.Status status, long retryAfterSeconds, String message) {
        return new WebApplicationException(Response.status(status)
                .header(HttpHeaders.RETRY_AFTER, retryAfterSeconds)
                .type(MediaType.APPLICATION_JSON_TYPE)
                .entity(new ErrorMessage(status.getStatusCode(), message))
                .build());
    }
}
