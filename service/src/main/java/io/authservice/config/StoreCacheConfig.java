package io.authservice.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.dropwizard.util.Duration;
import io.dropwizard.validation.MinDuration;
import io.dropwizard.validation.ValidationMethod;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;

import java.util.concurrent.TimeUnit;

/** Size and lifetimes of a cache in front of the store ({@link StoreCaches}): the API key cache, each directory cache. */
public class StoreCacheConfig {
    @Min(1)
    @JsonProperty
    private long maximumSize = 100_000;

    /** A cached key is reloaded in the background once it is this old (and still in use). */
    @NotNull
    @MinDuration(value = 1, unit = TimeUnit.SECONDS)
    @JsonProperty
    private Duration refreshAfterWrite = Duration.minutes(1);

    /** A cached key is dropped once it is this old, whatever happens to refreshes. */
    @NotNull
    @MinDuration(value = 1, unit = TimeUnit.SECONDS)
    @JsonProperty
    private Duration expireAfterWrite = Duration.minutes(10);

    /** How long "no such key" is remembered; short, as such entries are cheap for an attacker to create. */
    @NotNull
    @MinDuration(value = 1, unit = TimeUnit.SECONDS)
    @JsonProperty
    private Duration negativeExpireAfterWrite = Duration.seconds(30);

    public long getMaximumSize() {
        return maximumSize;
    }

    public Duration getRefreshAfterWrite() {
        return refreshAfterWrite;
    }

    public Duration getExpireAfterWrite() {
        return expireAfterWrite;
    }

    public Duration getNegativeExpireAfterWrite() {
        return negativeExpireAfterWrite;
    }

    public StoreCacheConfig setMaximumSize(long maximumSize) {
        this.maximumSize = maximumSize;
        return this;
    }

    public StoreCacheConfig setRefreshAfterWrite(Duration refreshAfterWrite) {
        this.refreshAfterWrite = refreshAfterWrite;
        return this;
    }

    public StoreCacheConfig setExpireAfterWrite(Duration expireAfterWrite) {
        this.expireAfterWrite = expireAfterWrite;
        return this;
    }

    public StoreCacheConfig setNegativeExpireAfterWrite(Duration negativeExpireAfterWrite) {
        this.negativeExpireAfterWrite = negativeExpireAfterWrite;
        return this;
    }

    @ValidationMethod(message = "refreshAfterWrite must be shorter than expireAfterWrite")
    public boolean isRefreshShorterThanExpiry() {
        return refreshAfterWrite.toNanoseconds() < expireAfterWrite.toNanoseconds();
    }

    @ValidationMethod(message = "negativeExpireAfterWrite must not be longer than expireAfterWrite")
    public boolean isNegativeLifeShorter() {
        return negativeExpireAfterWrite.toNanoseconds() <= expireAfterWrite.toNanoseconds();
    }
}
