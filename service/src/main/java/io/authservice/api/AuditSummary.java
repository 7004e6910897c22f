package io.authservice.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

import java.time.Instant;
import java.util.List;

/** The answer of {@code GET /api/v1/audit/summary/} and {@code audit --summary}. */
public record AuditSummary(
        @JsonProperty("from") Instant from,
        @JsonProperty("to") Instant to,
        @JsonProperty("by_type_and_outcome") List<TypeCount> byTypeAndOutcome,
        @JsonProperty("top_failing_client_addresses") List<AddressFailures> topFailingClientAddresses,
        @JsonProperty("uses_per_key") List<KeyUses> usesPerKey,
        @JsonProperty("top_failed_key_fingerprints") List<FingerprintAttempts> topFailedKeyFingerprints,
        @JsonProperty("unused_days") int unusedDays,
        @JsonProperty("unused_keys") List<UnusedKey> unusedKeys,
        @JsonProperty("expiry_warning_days") long expiryWarningDays,
        @JsonProperty("expiring_keys") List<ExpiringKey> expiringKeys) {

    public AuditSummary {
        byTypeAndOutcome = List.copyOf(byTypeAndOutcome);
        topFailingClientAddresses = List.copyOf(topFailingClientAddresses);
        usesPerKey = List.copyOf(usesPerKey);
        topFailedKeyFingerprints = List.copyOf(topFailedKeyFingerprints);
        unusedKeys = List.copyOf(unusedKeys);
        expiringKeys = List.copyOf(expiringKeys);
    }

    public record TypeCount(@JsonProperty("type") String type, @JsonProperty("outcome") String outcome,
                            @JsonProperty("count") long count) {
    }

    public record AddressFailures(@JsonProperty("client_address") String clientAddress,
                                  @JsonProperty("failures") long failures) {
    }

    public record KeyUses(@JsonProperty("key_id") long keyId, @JsonProperty("key_name") String keyName,
                          @JsonProperty("uses") long uses, @JsonProperty("last_used_at") Instant lastUsedAt) {
    }

    /** One presented value that failed, by its fingerprint: how often, from how many addresses, first and last seen. */
    public record FingerprintAttempts(@JsonProperty("fingerprint") String fingerprint,
                                      @JsonProperty("attempts") long attempts,
                                      @JsonProperty("client_addresses") long clientAddresses,
                                      @JsonProperty("first_seen") Instant firstSeen,
                                      @JsonProperty("last_seen") Instant lastSeen) {
    }

    /** An active key whose expiry falls within {@code expiry_warning_days} ({@code apiKeys.expiryWarning}). */
    public record ExpiringKey(@JsonProperty("key_id") long keyId, @JsonProperty("key_name") String keyName,
                              @JsonProperty("key_prefix") String keyPrefix,
                              @JsonProperty("expires_at") Instant expiresAt) {
    }

    /** An active key with no recorded use in the last {@code unused_days} days; never used when last_used_at is null. */
    public record UnusedKey(@JsonProperty("key_id") long keyId, @JsonProperty("key_name") String keyName,
                            @JsonProperty("key_prefix") String keyPrefix,
                            @JsonProperty("created_at") Instant createdAt,
                            @JsonInclude(JsonInclude.Include.ALWAYS) @JsonProperty("last_used_at") Instant lastUsedAt) {
    }
}
