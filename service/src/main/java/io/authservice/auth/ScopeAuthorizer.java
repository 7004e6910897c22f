package io.authservice.auth;

import io.authservice.core.Caller;
import io.dropwizard.auth.Authorizer;
import jakarta.ws.rs.container.ContainerRequestContext;

/**
 * {@code @RolesAllowed("users:read")} on a resource is satisfied by a caller holding that scope
 * (services) or role (people). A key refused here becomes the request's outcome: refused
 * {@code insufficient_scope}, for the audit event.
 */
public final class ScopeAuthorizer implements Authorizer<Caller> {
    @Override
    public boolean authorize(Caller caller, String scope, ContainerRequestContext request) {
        final boolean allowed = caller.holds(scope);
        if (!allowed && request != null && request.getProperty(ApiKeyOutcome.PROPERTY) instanceof ApiKeyOutcome.Accepted accepted) {
            request.setProperty(ApiKeyOutcome.PROPERTY, accepted.withoutScope());
        }
        return allowed;
    }
}
