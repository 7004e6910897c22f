package io.authservice.audit.seal;

import io.authservice.audit.AuditWireFormat;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.function.Supplier;

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
    void events(Instant from, Instant to, Consumer<Event> each);

    /**
     * One event as the verifier checks it.
     *
     * @param hash     the SHA-256 of the bytes the source holds for it: the store's, of its wire form
     *                 ({@link AuditWireFormat#encode}); an export's, of its line
     * @param wireHash null when {@code hash} is of the wire form; else, called only while the
     *                 callback runs, the SHA-256 of the wire form of the event the line holds (the
     *                 line decoded and encoded again): a line written otherwise than {@code encode}
     *                 writes it (spaces, another order of fields) holds the same event
     */
    record Event(UUID id, Instant occurredAt, byte[] hash, Supplier<byte[]> wireHash) {
    }
}
