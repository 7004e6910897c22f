package io.authservice.auth;

import io.authservice.resources.ErrorResponses;
import io.dropwizard.auth.UnauthorizedHandler;
import jakarta.ws.rs.core.Response;

/**
 * One 401 for every failed authentication (missing, malformed, unknown, inactive, expired): the
 * same JSON body and {@code WWW-Authenticate} header, so the answer reveals nothing about a key.
 */
public final class JsonUnauthorizedHandler implements UnauthorizedHandler {
    public static final String MESSAGE = "Credentials are required to access this resource.";

    @Override
    public Response buildResponse(String prefix, String realm) {
        return ErrorResponses.unauthorized(prefix, realm, MESSAGE);
    }
}
