package io.authservice.resources;

import io.authservice.api.UserView;
import io.authservice.core.Caller;
import io.authservice.core.Scopes;
import io.authservice.directory.DirectoryLookup;
import io.dropwizard.auth.Auth;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

/** {@code GET /api/v1/users/internal/{id}/}: a user's details for a service holding {@code users:read}. */
@Path("/api/v1/users/internal")
@Produces(MediaType.APPLICATION_JSON)
public final class InternalUserResource {
    private final DirectoryLookup<UserView> users;

    public InternalUserResource(DirectoryLookup<UserView> users) {
        this.users = users;
    }

    @GET
    @Path("{id}")
    @RolesAllowed(Scopes.USERS_READ)
    public UserView get(@Auth Caller caller, @PathParam("id") String id) {
        final long userId = Ids.parse(id, "the user id");
        return users.find(userId)
                .orElseThrow(() -> new NotFoundException("no user with id " + userId));
    }
}
