package io.authservice.audit.seal;

import io.authservice.audit.AuditEvent;
import io.authservice.audit.AuditStore;
import org.jdbi.v3.core.Handle;

import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Objects;

/**
 * Seals each batch a writer stores ({@link AuditStore.BatchStep}): in the batch's own transaction it
 * appends to the writer's chain a {@link Seal} of the events that transaction newly stored, signed
 * with the writer's key. One sealer per chain: a service instance on the direct sink, a partition of
 * the audit-consumer. A writer that restarts continues its chain from the head in the store.
 */
public final class BatchSealer implements AuditStore.BatchStep {
    private final String chainId;
    private final SealKey key;
    private final Clock clock;

    public BatchSealer(String chainId, SealKey key, Clock clock) {
        this.chainId = Objects.requireNonNull(chainId, "chainId");
        this.key = Objects.requireNonNull(key, "key");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    public String chainId() {
        return chainId;
    }

    @Override
    public void stored(Handle handle, List<AuditEvent> inserted) {
        final byte[] members = SealMembers.of(inserted);
        Instant first = inserted.get(0).occurredAt();
        Instant last = first;
        for (AuditEvent event : inserted) {
            first = event.occurredAt().isBefore(first) ? event.occurredAt() : first;
            last = event.occurredAt().isAfter(last) ? event.occurredAt() : last;
        }
        final Seals.Head head = Seals.lockHead(handle, chainId);
        final Seal seal = new Seal(chainId, head.seq() + 1, Seal.BATCH, inserted.size(), first, last,
                SealKey.Sha256.hex(members), members, head.digest(), key.keyId(), null,
                clock.instant().truncatedTo(ChronoUnit.MICROS)).signedBy(key);
        Seals.append(handle, seal);
    }
}
