package io.authservice.core;

/**
 * A key just created: the stored record and the key itself, which exists only here and is shown
 * to the operator once.
 */
public record CreatedApiKey(ApiKey stored, String key) {
    @Override
    public String toString() {
        return "CreatedApiKey[stored=" + stored + ", key=" + stored.prefix() + "…]";
    }
}
