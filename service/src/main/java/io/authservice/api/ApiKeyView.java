package io.authservice.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.authservice.core.ApiKey;

import java.time.Instant;
import java.util.List;

/**
 * A stored key as operators see it: never the key, never its hash.
 *
 * @param allowedAddresses CIDR ranges the key may be used from; empty: anywhere
 * @param rateLimit        e.g. {@code 600/1m}, or null for none
 */
@JsonInclude(JsonInclude.Include.ALWAYS)
public record ApiKeyView(
        @JsonProperty("id") long id,
        @JsonProperty("name") String name,
        @JsonProperty("prefix") String prefix,
        @JsonProperty("scopes") List<String> scopes,
        @JsonProperty("is_active") boolean active,
        @JsonProperty("status") String status,
        @JsonProperty("created_at") Instant createdAt,
        @JsonProperty("expires_at") Instant expiresAt,
        @JsonProperty("last_used_at") Instant lastUsedAt,
        @JsonProperty("deactivated_at") Instant deactivatedAt,
        @JsonProperty("replaced_by") Long replacedBy,
        @JsonProperty("allowed_addresses") List<String> allowedAddresses,
        @JsonProperty("rate_limit") String rateLimit) {

    public static ApiKeyView of(ApiKey key, Instant now) {
        return new ApiKeyView(key.id(), key.name(), key.prefix(), key.scopes().stream().sorted().toList(),
                key.active(), key.statusAt(now).wireName(), key.createdAt(), key.expiresAt(), key.lastUsedAt(),
                key.deactivatedAt(), key.replacedBy(), key.policy().allowedAddresses().ranges(),
                key.policy().rateLimit() == null ? null : key.policy().rateLimit().format());
    }
}
