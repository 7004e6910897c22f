package io.authservice.resources;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.authservice.core.Actor;
import io.authservice.core.Caller;
import io.authservice.core.JsonBodies;
import io.authservice.core.LeakedKeys;
import io.authservice.core.Roles;
import io.authservice.core.Scopes;
import io.dropwizard.auth.Auth;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import java.util.Map;

/**
 * {@code POST /api/v1/keys/report-leaked/} with {@code {"key": "..."}}: a leaked key is deactivated
 * and the report audited ({@link LeakedKeys}). Open to people with the {@code security} or
 * {@code admin} role and to keys holding {@code keys:write}; a cookie-authenticated report passes
 * the cross-site check as the other key POSTs do (own origin, JSON content type). The answer is the
 * same 202 whether or not the key exists or was active.
 */
@Path("/api/v1/keys/report-leaked")
@Produces(MediaType.APPLICATION_JSON)
public final class LeakedKeyResource {
    private final LeakedKeys leaks;
    private final JsonBodies bodies;

    public LeakedKeyResource(LeakedKeys leaks, ObjectMapper json) {
        this.leaks = leaks;
        this.bodies = new JsonBodies(json);
    }

    /** The request body. Its {@link #toString()} leaves the key out. */
    public record Report(@JsonProperty("key") String key) {
        @Override
        public String toString() {
            return "Report[key=…]";
        }
    }

    @POST
    @Path("/")
    @Consumes(MediaType.APPLICATION_JSON)
    @RolesAllowed({Scopes.KEYS_WRITE, Roles.SECURITY, Roles.ADMIN})
    public Response report(@Auth Caller caller, String body) {
        // read as the tasks read their bodies: unknown fields and wrong types are a 400 naming the field, never echoing the body
        leaks.report(bodies.read(body, Report.class).key(), Actor.api(caller));
        return Response.accepted(Map.of("status", "received", "message", LeakedKeys.ANSWER)).build();
    }
}
