package io.authservice.core;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * A stored user. {@code passwordHash} is an Argon2id PHC string, or null for a user who cannot sign
 * in; it never leaves the service (the wire views and reports drop it, and so does {@link #toString()}).
 *
 * @param roles sorted, without duplicates
 */
public record User(
        long id,
        String username,
        String email,
        String firstName,
        String lastName,
        String passwordHash,
        List<String> roles,
        boolean active,
        Instant dateJoined,
        Instant updatedAt) {

    public User {
        Objects.requireNonNull(username, "username");
        Objects.requireNonNull(email, "email");
        Objects.requireNonNull(firstName, "firstName");
        Objects.requireNonNull(lastName, "lastName");
        roles = List.copyOf(roles);
        Objects.requireNonNull(dateJoined, "dateJoined");
        Objects.requireNonNull(updatedAt, "updatedAt");
    }

    /** Whether the user has a password at all (one without cannot sign in). */
    public boolean hasPassword() {
        return passwordHash != null;
    }

    public boolean hasRole(String role) {
        return roles.contains(role);
    }

    @Override
    public String toString() {
        return "User[id=" + id + ", username=" + username + ", active=" + active + ", roles=" + roles
                + ", hasPassword=" + hasPassword() + "]";
    }
}
