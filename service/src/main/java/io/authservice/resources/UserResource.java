package io.authservice.resources;

import io.authservice.api.UserView;
import io.authservice.core.Caller;
import io.authservice.core.Scopes;
import io.authservice.core.ServiceCaller;
import io.authservice.core.UserCaller;
import io.authservice.core.UserService;
import io.dropwizard.auth.Auth;
import jakarta.annotation.security.PermitAll;
import jakarta.ws.rs.ForbiddenException;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

/**
 * A user's details for the user themself, an {@code admin}, or a service holding {@code users:read}:
 * <ul>
 *   <li>{@code GET /api/v1/users/me/}: the signed-in person;</li>
 *   <li>{@code GET /api/v1/users/{id}/}: the seed's "JWT token forwarding" call, where a downstream
 *       service copies the person's {@code access_token} cookie onto its own request.</li>
 * </ul>
 * Same JSON as {@code /api/v1/users/internal/{id}/}.
 */
@Path("/api/v1/users")
@Produces(MediaType.APPLICATION_JSON)
public final class UserResource {
    private final UserService users;

    public UserResource(UserService users) {
        this.users = users;
    }

    @GET
    @Path("me")
    @PermitAll
    public UserView me(@Auth Caller caller) {
        if (!(caller instanceof UserCaller user)) {
            throw new ForbiddenException("this endpoint answers a signed-in person (an access token), not an API key");
        }
        return find(user.id());
    }

    @GET
    @Path("{id}")
    @PermitAll
    public UserView get(@Auth Caller caller, @PathParam("id") String id) {
        final long userId = Ids.parse(id, "the user id");
        final boolean allowed = caller instanceof ServiceCaller service
                ? service.holds(Scopes.USERS_READ)
                : ((UserCaller) caller).id() == userId || ((UserCaller) caller).isAdmin();
        if (!allowed) {
            throw new ForbiddenException("only the user themself, an admin, or a key with "
                    + Scopes.USERS_READ + " may read this user");
        }
        return find(userId);
    }

    private UserView find(long userId) {
        return users.find(userId).map(UserView::of)
                .orElseThrow(() -> new NotFoundException("no user with id " + userId));
    }
}
