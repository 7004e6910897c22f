package io.authservice.core;

import java.time.Instant;
import java.util.List;

/**
 * A user to create, as given (not yet checked). Never carries a password: that travels separately,
 * straight into {@link PasswordHasher}.
 *
 * @param line       the CSV line it came from, for messages; 0 when not from a file
 * @param roles      role names, possibly unsorted or with blanks; null means none
 * @param dateJoined null means now
 */
public record NewUser(int line, String username, String email, String firstName, String lastName,
                      List<String> roles, boolean active, Instant dateJoined) {

    /** A user created by an operator now (not imported). */
    public static NewUser of(String username, String email, String firstName, String lastName, List<String> roles) {
        return new NewUser(0, username, email, firstName, lastName, roles, true, null);
    }
}
