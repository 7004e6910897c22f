package io.authservice.resources;

import io.authservice.api.UserView;
import io.authservice.api.UsersInfo;
import io.authservice.api.UsersInfoRequest;
import io.authservice.core.Caller;
import io.authservice.core.Scopes;
import io.authservice.directory.DirectoryLookup;
import io.dropwizard.auth.Auth;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.BadRequestException;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

/**
 * {@code /api/v1/tts/users-info/}: many users at once, for a service holding {@code users-info:read}.
 * {@code POST {"user_ids":[1,2]}} or {@code GET ?ids=1,2}; at most {@value #MAX_IDS} ids. The answer
 * lists the users found in the order asked (each once) and the ids not found.
 */
@Path("/api/v1/tts/users-info")
@Produces(MediaType.APPLICATION_JSON)
public final class UsersInfoResource {
    public static final int MAX_IDS = 500;

    private final DirectoryLookup<UserView> users;

    public UsersInfoResource(DirectoryLookup<UserView> users) {
        this.users = users;
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @RolesAllowed(Scopes.USERS_INFO_READ)
    public UsersInfo post(@Auth Caller caller, UsersInfoRequest request) {
        if (request == null || request.userIds() == null) {
            throw new BadRequestException("'user_ids' is required: a list of user ids");
        }
        checkCount(request.userIds().size());
        for (Long id : request.userIds()) {
            if (id == null || id <= 0) {
                throw new BadRequestException("'user_ids' must hold positive integers, not " + id);
            }
        }
        return lookup(request.userIds());
    }

    @GET
    @RolesAllowed(Scopes.USERS_INFO_READ)
    public UsersInfo get(@Auth Caller caller, @QueryParam("ids") List<String> ids) {
        if (ids == null || ids.isEmpty()) {
            throw new BadRequestException("'ids' is required: comma-separated user ids");
        }
        final List<String> raw = new ArrayList<>();
        for (String param : ids) {
            if (!param.isBlank()) { // "?ids=" asks for nothing; "?ids=1,,2" is refused below
                raw.addAll(Arrays.asList(param.split(",", -1)));
            }
        }
        checkCount(raw.size());
        return lookup(raw.stream().map(id -> Ids.parse(id, "each of 'ids'")).toList());
    }

    private static void checkCount(int count) {
        if (count > MAX_IDS) {
            throw new BadRequestException("at most " + MAX_IDS + " ids at once, not " + count);
        }
    }

    private UsersInfo lookup(List<Long> ids) {
        final Map<Long, UserView> found = users.findAll(ids);
        final List<UserView> inOrder = new ArrayList<>();
        final List<Long> notFound = new ArrayList<>();
        for (Long id : new LinkedHashSet<>(ids)) {
            final UserView user = found.get(id);
            if (user == null) {
                notFound.add(id);
            } else {
                inOrder.add(user);
            }
        }
        return new UsersInfo(List.copyOf(inOrder), List.copyOf(notFound));
    }
}
