package io.authservice.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;

/**
 * How the directory endpoints ({@code /api/v1/users/internal/{id}/}, {@code /api/v1/hdts/employees/internal/{id}/},
 * {@code /api/v1/tts/users-info/}) are answered: from an in-process cache per kind (users, employees),
 * kept in step across instances through {@code directory_changes} at {@code apiKeys.revocationPollInterval},
 * or (cached: false) with a query per request, as the original service does.
 */
public class DirectoryConfig {
    @JsonProperty
    private boolean cached = true;

    /** Sizes and lifetimes of each of the two caches (users, employees); the same settings as the key cache's. */
    @Valid
    @NotNull
    @JsonProperty
    private StoreCacheConfig cache = new StoreCacheConfig();

    public boolean isCached() {
        return cached;
    }

    public StoreCacheConfig getCache() {
        return cache;
    }

    public DirectoryConfig setCached(boolean cached) {
        this.cached = cached;
        return this;
    }
}
