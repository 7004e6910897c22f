package io.authservice.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.dropwizard.util.Duration;
import io.dropwizard.validation.MinDuration;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;

import java.util.concurrent.TimeUnit;

/** Failed API-key attempts per client address (an IPv6 client: its network, see {@link ClientAddressConfig}). */
public class ThrottleConfig {
    /** Failures allowed from one address within {@link #window}; the next attempt gets 429. */
    @Min(1)
    @JsonProperty
    private int maxFailures = 20;

    @NotNull
    @MinDuration(value = 1, unit = TimeUnit.SECONDS)
    @JsonProperty
    private Duration window = Duration.minutes(1);

    /** How many client addresses are tracked at once; the least recently failing are forgotten first. */
    @Min(1)
    @JsonProperty
    private long maximumTrackedAddresses = 100_000;

    public int getMaxFailures() {
        return maxFailures;
    }

    public Duration getWindow() {
        return window;
    }

    public long getMaximumTrackedAddresses() {
        return maximumTrackedAddresses;
    }
}
