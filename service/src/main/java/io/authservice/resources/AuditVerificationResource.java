package io.authservice.resources;

import io.authservice.audit.seal.TrailVerification;
import io.authservice.audit.seal.TrailVerifier;
import io.authservice.auditquery.TimeRange;
import io.authservice.core.Caller;
import io.authservice.core.Roles;
import io.authservice.core.Scopes;
import io.dropwizard.auth.Auth;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.MultivaluedMap;
import jakarta.ws.rs.core.UriInfo;

import java.util.Set;

/**
 * {@code GET /api/v1/audit/verification/?from&to}: recomputes the sealed trail's chains over the range
 * ({@link TrailVerifier}) and answers what holds and what does not; 200 either way ({@code "ok"}
 * says which). For the same callers as the rest of the audit API.
 */
@Path("/api/v1/audit/verification/")
public final class AuditVerificationResource {
    private static final Set<String> PARAMETERS = Set.of("from", "to");

    private final TrailVerifier verifier;

    public AuditVerificationResource(TrailVerifier verifier) {
        this.verifier = verifier;
    }

    @GET
    @RolesAllowed({Scopes.AUDIT_READ, Roles.SECURITY, Roles.ADMIN})
    @Produces(MediaType.APPLICATION_JSON)
    public TrailVerification verify(@Auth Caller caller, @Context UriInfo uri) {
        final MultivaluedMap<String, String> params = uri.getQueryParameters();
        QueryParameters.requireKnown(params, PARAMETERS);
        final TimeRange range = TimeRange.parse(params::getFirst);
        return verifier.verify(range.from(), range.to());
    }
}
