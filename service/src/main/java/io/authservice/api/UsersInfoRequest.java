package io.authservice.api;

import com.fasterxml.jackson.annotation.JsonProperty;

import java.util.List;

/**
 * The batch lookup's request body, {@code {"user_ids": [1, 2, 3]}}. Ids must be JSON integers: the
 * service's ObjectMapper refuses {@code 1.5} and {@code "7"}.
 */
public record UsersInfoRequest(@JsonProperty("user_ids") List<Long> userIds) {
}
