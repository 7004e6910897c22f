package io.authservice.auth;

import io.authservice.core.Caller;
import io.dropwizard.auth.Authorizer;
import jakarta.ws.rs.container.ContainerRequestContext;

/**
 * {@code @RolesAllowed("users:read")} on a resource is satisfied by a caller holding that scope
 * (services) or role (people). A refusal is noted on the request's attempt for the audit trail.
 */
public final class ScopeAuthorizer implements Authorizer<Caller> {
    @Override
    public boolean authorize(Caller caller, String scope, ContainerRequestContext request) {
        final boolean allowed = caller.holds(scope);
        if (!allowed && request != null && request.getProperty(AuthAttempt.PROPERTY) instanceof AuthAttempt attempt) {
            attempt.denyScope();
        }
        return allowed;
    }
}
