package io.authservice.core;

import java.util.List;
import java.util.Objects;

/**
 * A person who authenticated with an access token (JWT). Built from the token's claims alone, so
 * checking a token costs no database query.
 *
 * @param roles sorted, from the token's {@code roles} claim
 */
public record UserCaller(long id, String username, String email, List<String> roles) implements Caller {

    public UserCaller {
        Objects.requireNonNull(username, "username");
        email = email == null ? "" : email;
        roles = List.copyOf(roles);
    }

    @Override
    public String getName() {
        return username;
    }

    /**
     * Whether this person holds the role. Scopes belong to API keys only: a person never holds one,
     * even with a role of the same name, so the internal endpoints stay closed to user tokens.
     */
    @Override
    public boolean holds(String role) {
        return !Scopes.ALL.contains(role) && roles.contains(role);
    }

    public boolean isAdmin() {
        return holds(Roles.ADMIN);
    }
}
