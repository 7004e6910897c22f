package io.authservice.core;

import java.util.Objects;

/**
 * What a key may do beyond its scopes: where it may be used from and how fast. Copied to a
 * successor on rotation; changed by {@code update-api-key}.
 *
 * @param allowedAddresses the client addresses the key may be used from ({@link AllowedAddresses#ANYWHERE}: any)
 * @param rateLimit        how fast it may be used, or null for no limit
 */
public record KeyPolicy(AllowedAddresses allowedAddresses, RateLimit rateLimit) {
    /** Anywhere, no limit: a key made before policies existed, or made without one. */
    public static final KeyPolicy NONE = new KeyPolicy(AllowedAddresses.ANYWHERE, null);

    public KeyPolicy {
        Objects.requireNonNull(allowedAddresses, "allowedAddresses");
    }

    /** Parses the two operator inputs; either may be null or blank (anywhere; no limit). */
    public static KeyPolicy parse(String allowedAddresses, String rateLimit) {
        return new KeyPolicy(AllowedAddresses.parse(allowedAddresses), RateLimit.parse(rateLimit));
    }
}
