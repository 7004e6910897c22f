package io.authservice.core;

import java.time.Instant;
import java.util.Objects;
import java.util.Set;

/**
 * A stored API key. Holds the key's SHA-256 hash and display prefix, never the key itself.
 *
 * @param replacedBy the id of the key that succeeded this one in a rotation, or null
 * @param policy     where the key may be used from and how fast ({@link KeyPolicy#NONE}: anywhere, unlimited)
 */
public record ApiKey(
        long id,
        String name,
        String prefix,
        String hash,
        Set<String> scopes,
        boolean active,
        Instant createdAt,
        Instant expiresAt,
        Instant lastUsedAt,
        Instant deactivatedAt,
        Instant updatedAt,
        Long replacedBy,
        KeyPolicy policy) {

    public ApiKey {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(prefix, "prefix");
        Objects.requireNonNull(hash, "hash");
        scopes = Set.copyOf(scopes);
        Objects.requireNonNull(createdAt, "createdAt");
        Objects.requireNonNull(updatedAt, "updatedAt");
        Objects.requireNonNull(policy, "policy");
    }

    /** A key without a policy (anywhere, unlimited). */
    public ApiKey(long id, String name, String prefix, String hash, Set<String> scopes, boolean active,
                  Instant createdAt, Instant expiresAt, Instant lastUsedAt, Instant deactivatedAt, Instant updatedAt,
                  Long replacedBy) {
        this(id, name, prefix, hash, scopes, active, createdAt, expiresAt, lastUsedAt, deactivatedAt, updatedAt,
                replacedBy, KeyPolicy.NONE);
    }

    /** Whether this key may be used at {@code now}. */
    public Status statusAt(Instant now) {
        if (!active) {
            return Status.INACTIVE;
        }
        if (expiresAt != null && !now.isBefore(expiresAt)) {
            return Status.EXPIRED;
        }
        return Status.ACTIVE;
    }

    public boolean hasScope(String scope) {
        return scopes.contains(scope);
    }

    /** A key's state as seen by authentication. */
    public enum Status {
        ACTIVE, INACTIVE, EXPIRED;

        public String wireName() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }
}
