package io.authservice.api;

import com.fasterxml.jackson.annotation.JsonProperty;

import java.util.List;

/**
 * The batch lookup's answer: the users found, in the order asked (each once), and the ids not found.
 */
public record UsersInfo(
        @JsonProperty("users") List<UserView> users,
        @JsonProperty("not_found") List<Long> notFound) {
}
