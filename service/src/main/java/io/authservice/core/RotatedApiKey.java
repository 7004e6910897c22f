package io.authservice.core;

/** The outcome of a rotation: the previous key (now expiring after the grace period) and its successor. */
public record RotatedApiKey(ApiKey previous, CreatedApiKey successor) {
}
