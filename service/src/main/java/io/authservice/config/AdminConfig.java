package io.authservice.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import jakarta.validation.constraints.NotNull;

import java.nio.file.Path;
import java.nio.file.Paths;

/** Guards the admin port's tasks. */
public class AdminConfig {
    /** The token every task request must carry in {@code X-Admin-Token}; empty or absent means "use {@link #tokenFile}". */
    @JsonProperty
    private String token;

    /** Where the generated token lives when {@link #token} is empty; created (owner-only) on first start. */
    @NotNull
    @JsonProperty
    private Path tokenFile = Paths.get("data", "admin-token");

    public String getToken() {
        return token;
    }

    public Path getTokenFile() {
        return tokenFile;
    }
}
