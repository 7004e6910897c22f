package io.authservice.resources;

import io.authservice.core.RequestRefusedException;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;

/**
 * Input a caller must fix, found below a resource (e.g. a wrongly typed JSON field): its own 4xx
 * status and message in the one error shape, not a 500.
 */
public final class RequestRefusedExceptionMapper implements ExceptionMapper<RequestRefusedException> {
    @Override
    public Response toResponse(RequestRefusedException e) {
        return ErrorResponses.answer(e.status(), e.getMessage());
    }
}
