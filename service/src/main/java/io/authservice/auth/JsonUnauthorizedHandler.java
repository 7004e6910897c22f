package io.authservice.auth;

import io.dropwizard.auth.UnauthorizedHandler;
import io.dropwizard.jersey.errors.ErrorMessage;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/**
 * One 401 for every failed authentication (missing, malformed, unknown, inactive, expired): the
 * same JSON body and {@code WWW-Authenticate} header, so the answer reveals nothing about a key.
 */
public final class JsonUnauthorizedHandler implements UnauthorizedHandler {
    public static final String MESSAGE = "Credentials are required to access this resource.";

    @Override
    public Response buildResponse(String prefix, String realm) {
        return Response.status(Response.Status.UNAUTHORIZED)
                .header(HttpHeaders.WWW_AUTHENTICATE, prefix + " realm=\"" + realm + "\"")
                .type(MediaType.APPLICATION_JSON_TYPE)
                .entity(new ErrorMessage(401, MESSAGE))
                .build();
    }
}
