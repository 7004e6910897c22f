package io.authservice.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.authservice.core.Scopes;
import io.dropwizard.util.Duration;
import io.dropwizard.validation.MinDuration;
import io.dropwizard.validation.ValidationMethod;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;

import java.util.LinkedHashSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/** How API keys are issued, cached and kept in step across instances. */
public class ApiKeyConfig {
    /** Scopes a key gets when it is created or imported without any: every internal read scope. */
    @NotNull
    @JsonProperty
    private Set<String> defaultScopes = new LinkedHashSet<>(Scopes.INTERNAL_READ);

    @Valid
    @NotNull
    @JsonProperty
    private StoreCacheConfig cache = new StoreCacheConfig();

    /**
     * How often each instance looks for keys changed anywhere (deactivated, rotated, deleted). A
     * change takes effect on every instance within about this long.
     */
    @NotNull
    @MinDuration(value = 50, unit = TimeUnit.MILLISECONDS)
    @JsonProperty
    private Duration revocationPollInterval = Duration.seconds(1);

    /** How often the batched {@code last_used_at} updates are written; at most one write per key per interval. */
    @NotNull
    @MinDuration(value = 1, unit = TimeUnit.SECONDS)
    @JsonProperty
    private Duration lastUsedFlushInterval = Duration.minutes(1);

    /** Grace period for {@code rotate-api-key} when none is given. */
    @NotNull
    @JsonProperty
    private Duration defaultRotationGrace = Duration.hours(24);

    /**
     * How many service instances share each key's rate limit: each enforces limit / instances
     * (rounded up) on its own, in memory. Set it to the number of instances behind the load balancer.
     */
    @Min(1)
    @Max(10_000)
    @JsonProperty
    private int instances = 1;

    /** How many rate-limited keys each instance keeps a bucket for at most (idle buckets are dropped). */
    @Min(1)
    @JsonProperty
    private long maximumRateLimitedKeys = 100_000;

    public int getInstances() {
        return instances;
    }

    public long getMaximumRateLimitedKeys() {
        return maximumRateLimitedKeys;
    }

    public Set<String> getDefaultScopes() {
        return defaultScopes;
    }

    public StoreCacheConfig getCache() {
        return cache;
    }

    public Duration getRevocationPollInterval() {
        return revocationPollInterval;
    }

    public Duration getLastUsedFlushInterval() {
        return lastUsedFlushInterval;
    }

    public Duration getDefaultRotationGrace() {
        return defaultRotationGrace;
    }

    @ValidationMethod(message = "defaultScopes may only name known scopes: " + Scopes.KNOWN_LIST)
    public boolean isDefaultScopesKnown() {
        return Scopes.ALL.containsAll(defaultScopes);
    }
}
