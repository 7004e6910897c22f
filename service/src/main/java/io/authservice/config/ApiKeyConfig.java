package io.authservice.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.authservice.core.ApiKeySecrets;
import io.authservice.core.Scopes;
import io.dropwizard.util.Duration;
import io.dropwizard.validation.MinDuration;
import io.dropwizard.validation.ValidationMethod;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;

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
     * The longest lifetime a key may have: a key created, imported or rotated without an expiry
     * gets this one, and a longer one is refused. Null (the default) sets no limit.
     */
    @JsonProperty
    private Duration maxLifetime;

    /**
     * Keys expiring within this long are listed by {@code list-api-keys --expiring} and the audit
     * summary, and produce one {@code api_key.expiring} event a day each.
     */
    @NotNull
    @MinDuration(value = 1, unit = TimeUnit.DAYS)
    @JsonProperty
    private Duration expiryWarning = Duration.days(14);

    /** How often each instance looks for keys to warn about (each key is warned about once a day across instances). */
    @NotNull
    @MinDuration(value = 50, unit = TimeUnit.MILLISECONDS)
    @JsonProperty
    private Duration expiryWarningCheckInterval = Duration.hours(1);

    /** The format of new keys; both are accepted at once, so a team migrates by rotation. */
    @NotNull
    @JsonProperty
    private ApiKeySecrets.Format format = ApiKeySecrets.Format.hex40;

    /** The start of a {@code prefixed} key, before its underscore: 2-16 lowercase letters and digits. */
    @NotNull
    @Pattern(regexp = ApiKeySecrets.PREFIX_PATTERN, message = "must be 2-16 lowercase letters and digits")
    @JsonProperty
    private String prefix = "authsvc";

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

    /** Null when keys may live for ever. */
    public Duration getMaxLifetime() {
        return maxLifetime;
    }

    public Duration getExpiryWarning() {
        return expiryWarning;
    }

    public Duration getExpiryWarningCheckInterval() {
        return expiryWarningCheckInterval;
    }

    public ApiKeySecrets.Format getFormat() {
        return format;
    }

    public String getPrefix() {
        return prefix;
    }

    @ValidationMethod(message = "maxLifetime must be longer than a minute and at most 36500d")
    public boolean isMaxLifetimeSensible() {
        return maxLifetime == null || (maxLifetime.toMinutes() >= 1 && maxLifetime.toDays() <= 36_500);
    }

    @ValidationMethod(message = "expiryWarning must be a whole number of days, e.g. 14d")
    public boolean isExpiryWarningWholeDays() {
        return expiryWarning == null || expiryWarning.toSeconds() % 86_400 == 0;
    }

    @ValidationMethod(message = "defaultScopes may only name known scopes: " + Scopes.KNOWN_LIST)
    public boolean isDefaultScopesKnown() {
        return Scopes.ALL.containsAll(defaultScopes);
    }
}
