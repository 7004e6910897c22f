package io.authservice.resources;

import io.authservice.api.WhoAmI;
import io.authservice.core.Caller;
import io.dropwizard.auth.Auth;
import jakarta.annotation.security.PermitAll;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

/** Tells any authenticated caller who it is. */
@Path("/api/v1/whoami")
@Produces(MediaType.APPLICATION_JSON)
public final class WhoAmIResource {
    @GET
    @PermitAll
    public WhoAmI whoami(@Auth Caller caller) {
        return WhoAmI.of(caller);
    }
}
