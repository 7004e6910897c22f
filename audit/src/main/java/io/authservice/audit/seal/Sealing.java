package io.authservice.audit.seal;

import io.authservice.audit.AuditStore;
import org.jdbi.v3.core.Jdbi;

import java.time.Clock;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A writing process's sealing, as {@link SealConfig} says: its signing key, loaded once
 * ({@link SealKeys#load}) and shared by every chain the process writes (its store's, its alert
 * chain's) and by its retention's purge records; no key when sealing is off.
 */
public final class Sealing {
    private final SealKey key;

    private Sealing(SealKey key) {
        this.key = key;
    }

    /** Loads the key (from the configuration, or its file, created on first start) when sealing is enabled. */
    public static Sealing of(SealConfig config) {
        return new Sealing(config.isEnabled() ? SealKeys.load(config).signing() : null);
    }

    /** Sealing with {@code key}. */
    public static Sealing with(SealKey key) {
        return new Sealing(Objects.requireNonNull(key, "key"));
    }

    /** The signing key; empty when sealing is off. */
    public Optional<SealKey> key() {
        return Optional.ofNullable(key);
    }

    /** The stores of the chains the process writes, each sealing with the key after the steps {@code before}. */
    public SealedStores stores(Jdbi jdbi, Clock clock, List<AuditStore.BatchStep> before) {
        return new SealedStores(jdbi, key, clock, before);
    }

    /** Retention over the sealed trail, signing its purge records with the key; null when sealing is off. */
    public SealedRetention retention(Jdbi jdbi, Clock clock) {
        return key == null ? null : new SealedRetention(jdbi, key, clock);
    }
}
