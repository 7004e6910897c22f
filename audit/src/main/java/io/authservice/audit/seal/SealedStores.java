package io.authservice.audit.seal;

import io.authservice.audit.AuditStore;
import org.jdbi.v3.core.Jdbi;

import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The audit store for each chain a process writes: one per service instance on the direct sink, one
 * per partition in the audit-consumer ({@link #kafkaChain}); {@link Sealing#stores} makes them as the configuration says. Each seals its batches with the
 * process's key ({@link BatchSealer}), after any steps given; with sealing off, the steps alone.
 */
public final class SealedStores {
    private final Jdbi jdbi;
    private final SealKey key;
    private final Clock clock;
    private final List<AuditStore.BatchStep> before;
    private final Map<String, AuditStore> stores = new ConcurrentHashMap<>();

    /**
     * @param key    null: no sealing
     * @param before steps that run before the seal in each batch (per-minute counts, say)
     */
    public SealedStores(Jdbi jdbi, SealKey key, Clock clock, List<AuditStore.BatchStep> before) {
        this.jdbi = Objects.requireNonNull(jdbi, "jdbi");
        this.key = key;
        this.clock = Objects.requireNonNull(clock, "clock");
        this.before = List.copyOf(before);
    }

    /** The chain of a partition of the audit topic. */
    public static String kafkaChain(String topic, int partition) {
        return "kafka:" + topic + "/" + partition;
    }

    /** The chain of the direct sink of the instance (or host) named. */
    public static String directChain(String instance) {
        return "direct:" + instance;
    }

    public AuditStore forChain(String chainId) {
        return stores.computeIfAbsent(chainId, chain -> {
            if (key == null) {
                return new AuditStore(jdbi, before);
            }
            final List<AuditStore.BatchStep> steps = new java.util.ArrayList<>(before);
            steps.add(new BatchSealer(chain, key, clock));
            return new AuditStore(jdbi, steps);
        });
    }
}
