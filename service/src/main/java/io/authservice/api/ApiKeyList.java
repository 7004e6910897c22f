package io.authservice.api;

import com.fasterxml.jackson.annotation.JsonProperty;

import java.util.List;

/** The answer of {@code GET /api/v1/keys/}: the matching keys, newest first, never their secrets. */
public record ApiKeyList(@JsonProperty("keys") List<ApiKeyView> keys) {
    public ApiKeyList {
        keys = List.copyOf(keys);
    }
}
