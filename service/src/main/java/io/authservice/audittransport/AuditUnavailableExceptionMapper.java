package io.authservice.audittransport;

import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;

/** A request whose audit event could not be journaled, in {@code reject} mode: {@link AuditUnavailableException#response()}. */
public final class AuditUnavailableExceptionMapper implements ExceptionMapper<AuditUnavailableException> {
    @Override
    public Response toResponse(AuditUnavailableException e) {
        return AuditUnavailableException.response();
    }
}
