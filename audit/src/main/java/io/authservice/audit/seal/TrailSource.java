package io.authservice.audit.seal;

import io.authservice.audit.AuditEvent;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * What {@link TrailVerifier} reads a sealed trail from: the store (one snapshot of it), or an NDJSON
 * export that carries its seals ({@link ExportedTrail}).
 */
interface TrailSource {
    /** Per chain, the lowest and highest seq of the seals whose events overlap {@code [lo, hi]}. */
    Map<String, long[]> ranges(Instant lo, Instant hi);

    /** Each chain's head seq as its writer left it; empty when the source does not know. */
    Map<String, Long> heads();

    /** Every chain's purge record. */
    List<SealPurge> purges();

    /** The chain's seals from {@code first} to {@code last}, in seq order. */
    List<Seal> seals(String chain, long first, long last);

    /** Every event that occurred in {@code [from, to]}. */
    void events(Instant from, Instant to, Consumer<AuditEvent> each);
}
