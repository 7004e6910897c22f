package io.authservice.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.authservice.core.User;

import java.time.Instant;
import java.util.List;

/** A user on the wire, in the original service's snake_case. Never a password or its hash. */
@JsonInclude(JsonInclude.Include.ALWAYS)
public record UserView(
        @JsonProperty("id") long id,
        @JsonProperty("username") String username,
        @JsonProperty("email") String email,
        @JsonProperty("first_name") String firstName,
        @JsonProperty("last_name") String lastName,
        @JsonProperty("is_active") boolean active,
        @JsonProperty("date_joined") Instant dateJoined,
        @JsonProperty("roles") List<String> roles) {

    public static UserView of(User user) {
        return new UserView(user.id(), user.username(), user.email(), user.firstName(), user.lastName(),
                user.active(), user.dateJoined(), user.roles());
    }
}
