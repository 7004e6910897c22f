package io.authservice.audit.seal;

import io.authservice.audit.AuditStore;
import io.authservice.audit.AuditEvent;
import io.authservice.audit.AuditEventMapper;
import io.authservice.audit.UtcInstantArgumentFactory;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.result.ResultIterator;
import org.jdbi.v3.core.transaction.TransactionIsolationLevel;

import java.security.PublicKey;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Consumer;

/**
 * Recomputes every chain of the sealed trail over a range of event times and says what does not
 * hold ({@link TrailFinding.Kind}). It reads one snapshot of the store (repeatable read), so a batch
 * committed while it runs is seen whole or not at all.
 *
 * <p>The range takes every digest row whose events overlap it, and of each chain every row between
 * the first and the last of those (a gap is a digest missing), the row before them (to check the
 * first link) and, when the range runs up to now, every row up to the chain's head. Events of those
 * rows are checked even where they lie outside the range; an event no row holds is reported only
 * inside the range.
 */
public final class TrailVerifier {
    /** At most this many findings are listed; all are counted. */
    public static final int MAX_LISTED = 1000;
    private static final Instant BEGINNING = Instant.parse("0001-01-01T00:00:00Z");
    private static final Instant END = Instant.parse("9999-12-31T23:59:59Z");
    private static final int FETCH = 5000;

    private final Jdbi jdbi;
    private final SealKeyRing keys;

    public TrailVerifier(Jdbi jdbi, SealKeyRing keys) {
        this.jdbi = Objects.requireNonNull(jdbi, "jdbi");
        this.keys = Objects.requireNonNull(keys, "keys");
    }

    /**
     * @param from null: from the beginning
     * @param to   null: up to now (then a chain's rows missing at its end are found too)
     */
    public TrailVerification verify(Instant from, Instant to) {
        return jdbi.inTransaction(snapshot(), handle -> new Run(new StoredTrail(handle), keys, from, to).run());
    }

    /**
     * Verifies an exported file offline, with the same checks over its events and seals, over the
     * range it was exported for: a chain's seals before the range need not be in it, and an event
     * outside the range that no seal in the file holds is not reported.
     */
    public static TrailVerification verifyExport(ExportedTrail export, SealKeyRing keys) {
        return new Run(export, keys, export.from(), export.to()).run();
    }

    /** The store, read in one transaction. */
    private static final class StoredTrail implements TrailSource {
        private final Handle handle;

        StoredTrail(Handle handle) {
            this.handle = handle;
        }

        @Override
        public Map<String, long[]> ranges(Instant lo, Instant hi) {
            final Map<String, long[]> ranges = new LinkedHashMap<>();
            handle.createQuery("SELECT chain_id, MIN(seq), MAX(seq) FROM audit_seals WHERE last_at >= :lo AND first_at <= :hi"
                            + " GROUP BY chain_id ORDER BY chain_id").bind("lo", lo.atOffset(java.time.ZoneOffset.UTC))
                    .bind("hi", hi.atOffset(java.time.ZoneOffset.UTC))
                    .map((rs, ctx) -> Map.entry(rs.getString(1), new long[]{rs.getLong(2), rs.getLong(3)}))
                    .forEach(e -> ranges.put(e.getKey(), e.getValue()));
            return ranges;
        }

        @Override
        public Map<String, Long> heads() {
            final Map<String, Long> heads = new HashMap<>();
            handle.createQuery("SELECT chain_id, head_seq FROM audit_seal_chains")
                    .map((rs, ctx) -> Map.entry(rs.getString(1), rs.getLong(2))).forEach(e -> heads.put(e.getKey(), e.getValue()));
            return heads;
        }

        @Override
        public List<SealPurge> purges() {
            return SealedRetention.records(handle);
        }

        @Override
        public List<Seal> seals(String chain, long first, long last) {
            return Seals.select(handle.createQuery("SELECT " + Seals.COLUMNS + " FROM audit_seals"
                            + " WHERE chain_id = :chain AND seq BETWEEN :first AND :last ORDER BY seq")
                    .bind("chain", chain).bind("first", first).bind("last", last)).list();
        }

        @Override
        public void events(Instant from, Instant to, Consumer<TrailSource.Event> each) {
            final WireHasher hasher = new WireHasher();
            try (ResultIterator<AuditEvent> events = handle.createQuery("SELECT * FROM audit_events"
                            + " WHERE occurred_at >= :from AND occurred_at <= :to")
                    .registerArgument(new UtcInstantArgumentFactory())
                    .bind("from", from).bind("to", to).setFetchSize(FETCH)
                    .map(new AuditEventMapper()).iterator()) {
                events.forEachRemaining(event -> each.accept(new TrailSource.Event(event.id(), event.occurredAt(),
                        hasher.hash(event), null)));
            }
        }
    }

    /**
     * An isolation level under which every read of one verification sees the same committed state, so
     * a batch a writer commits meanwhile is seen whole or not at all (neither its digest without its
     * events nor the reverse): REPEATABLE READ is a snapshot on PostgreSQL; on H2 it still lets in
     * rows inserted meanwhile, and SERIALIZABLE (a snapshot there) does not.
     */
    private TransactionIsolationLevel snapshot() {
        final boolean h2 = jdbi.withHandle(AuditStore::isH2);
        return h2 ? TransactionIsolationLevel.SERIALIZABLE : TransactionIsolationLevel.REPEATABLE_READ;
    }

    /** One verification, with what it found so far. */
    private static final class Run {
        private final TrailSource source;
        private final SealKeyRing keys;
        private final Instant from;
        private final Instant to;
        private final Instant lo;
        private final Instant hi;
        private final List<TrailFinding> findings = new ArrayList<>();
        private final Map<TrailFinding.Kind, Long> counts = new EnumMap<>(TrailFinding.Kind.class);

        Run(TrailSource source, SealKeyRing keys, Instant from, Instant to) {
            this.source = source;
            this.keys = keys;
            this.from = from;
            this.to = to;
            this.lo = from == null ? BEGINNING : from;
            this.hi = to == null ? END : to;
        }

        private void found(TrailFinding.Kind kind, String chain, Long seq, UUID eventId, String detail) {
            counts.merge(kind, 1L, Long::sum);
            if (findings.size() < MAX_LISTED) {
                findings.add(new TrailFinding(kind, chain, seq, eventId, detail));
            }
        }

        TrailVerification run() {
            final Map<String, long[]> ranges = source.ranges(lo, hi);
            final Map<String, Long> heads = source.heads();
            final Map<String, SealPurge> purges = new HashMap<>();
            source.purges().forEach(p -> purges.put(p.chainId(), p));
            if (to == null) {
                for (Map.Entry<String, Long> head : heads.entrySet()) {
                    final long[] range = ranges.get(head.getKey());
                    final long base = base(purges.get(head.getKey()));
                    if (range != null) {
                        range[1] = Math.max(range[1], head.getValue());
                    } else if (from == null && head.getValue() > base) {
                        ranges.put(head.getKey(), new long[]{base + 1, head.getValue()});
                    }
                }
            }
            // a chain begins at its purge record, or at seq 1: from the beginning, whatever is missing from there is missing
            for (Map.Entry<String, long[]> chain : ranges.entrySet()) {
                final long base = base(purges.get(chain.getKey()));
                if (from == null || chain.getValue()[0] <= base) {
                    chain.getValue()[0] = base + 1;
                }
            }
            for (SealPurge purge : purges.values()) {
                if (from == null || ranges.containsKey(purge.chainId())) {
                    checkPurge(purge);
                }
            }
            final List<Seal> checked = new ArrayList<>();
            long digests = 0;
            for (Map.Entry<String, long[]> chain : ranges.entrySet()) {
                final long first = chain.getValue()[0];
                final long last = chain.getValue()[1];
                final List<Seal> rows = source.seals(chain.getKey(), first - 1, last);
                digests += rows.stream().filter(r -> r.seq() >= first).count();
                checkChain(chain.getKey(), rows, first, last, purges.get(chain.getKey()));
                rows.stream().filter(r -> r.seq() >= first && r.kind().equals(Seal.BATCH)).forEach(checked::add);
            }
            final long events = checkEvents(checked);
            return new TrailVerification(from, to, ranges.size(), digests, events, counts, findings);
        }

        private static long base(SealPurge purge) {
            return purge == null ? 0 : purge.lastSeq();
        }

        /** A purge record's signature: without it, a record moved forward would hide the deletion of whole batches. */
        private void checkPurge(SealPurge purge) {
            final Optional<PublicKey> key = keys.key(purge.keyId());
            if (key.isEmpty()) {
                found(TrailFinding.Kind.UNKNOWN_KEY, purge.chainId(), purge.lastSeq(), null, "the purge record is signed by "
                        + purge.keyId() + ", a key this verifier does not trust");
            } else if (!SealKey.verifies(key.get(), purge.signedContent(), purge.signature())) {
                found(TrailFinding.Kind.BAD_SIGNATURE, purge.chainId(), purge.lastSeq(), null,
                        "the purge record's signature does not verify with " + purge.keyId());
            }
        }

        /**
         * Signatures, order, links and gaps of one chain's rows {@code first - 1} to {@code last}; the
         * chain begins after its purge record ({@code purge}, null when none) or at seq 1 with
         * {@link Seal#GENESIS}.
         */
        private void checkChain(String chain, List<Seal> rows, long first, long last, SealPurge purge) {
            final long base = base(purge);
            final Map<Seal, Long> signedSeq = new HashMap<>();
            final List<Seal> bad = new ArrayList<>();
            for (Seal row : rows) {
                final Optional<PublicKey> key = keys.key(row.keyId());
                if (key.isEmpty()) {
                    if (row.seq() >= first) {
                        found(TrailFinding.Kind.UNKNOWN_KEY, chain, row.seq(), null, "signed by " + row.keyId()
                                + ", a key this verifier does not trust");
                    }
                    signedSeq.put(row, row.seq());
                } else if (SealKey.verifies(key.get(), row.signedContent(), row.signature())) {
                    signedSeq.put(row, row.seq());
                } else {
                    bad.add(row);
                }
            }
            for (Seal row : bad) {
                final PublicKey key = keys.key(row.keyId()).orElseThrow();
                final Optional<Long> movedFrom = bad.stream().map(Seal::seq).filter(seq -> seq != row.seq())
                        .filter(seq -> SealKey.verifies(key, row.signedContent(seq), row.signature())).findFirst();
                if (movedFrom.isPresent()) {
                    found(TrailFinding.Kind.DIGEST_OUT_OF_ORDER, chain, row.seq(), null,
                            "the digest at seq " + row.seq() + " was signed as seq " + movedFrom.get());
                    signedSeq.put(row, movedFrom.get());
                } else {
                    if (row.seq() >= first) {
                        found(TrailFinding.Kind.BAD_SIGNATURE, chain, row.seq(), null,
                                "the signature does not verify with " + row.keyId());
                    }
                    signedSeq.put(row, row.seq());
                }
            }
            final List<Seal> ordered = new ArrayList<>(rows);
            ordered.sort(Comparator.comparing(signedSeq::get));
            long expected = first - 1;
            Seal previous = null;
            for (Seal row : ordered) {
                final long seq = signedSeq.get(row);
                if (seq == first - 1) {
                    previous = row;
                    continue;
                }
                if (previous == null && seq == first && first - 1 == base) {
                    if (purge == null && !row.prevDigest().equals(Seal.GENESIS)) {
                        found(TrailFinding.Kind.BROKEN_LINK, chain, seq, null, "the chain's first digest does not begin it");
                    } else if (purge != null && !row.prevDigest().equals(purge.lastDigest())) {
                        found(TrailFinding.Kind.BROKEN_LINK, chain, seq, null,
                                "its previous digest is not the digest of seq " + base + " that the purge record names");
                    }
                } else if (previous == null || seq != expected + 1) {
                    missing(chain, Math.max(expected + 1, 1), seq - 1);
                } else if (!row.prevDigest().equals(previous.digest(signedSeq.get(previous)))) {
                    found(TrailFinding.Kind.BROKEN_LINK, chain, seq, null,
                            "its previous digest is not the digest of seq " + signedSeq.get(previous));
                }
                previous = row;
                expected = seq;
            }
            if (expected < last) {
                missing(chain, expected + 1, last);
            }
        }

        private void missing(String chain, long firstMissing, long lastMissing) {
            if (firstMissing > lastMissing) {
                return;
            }
            found(TrailFinding.Kind.DIGEST_MISSING, chain, firstMissing, null, firstMissing == lastMissing
                    ? "no digest at seq " + firstMissing : "no digests at seq " + firstMissing + " to " + lastMissing);
        }

        /** Every event of the checked rows, and every event in the range; returns how many events were read. */
        private long checkEvents(List<Seal> rows) {
            // each member of the checked rows gets a number: rowStart[r] + its place i in row r
            final int[] rowStart = new int[rows.size() + 1];
            Instant eventsFrom = lo;
            Instant eventsTo = hi;
            final boolean[] usable = new boolean[rows.size()];
            for (int r = 0; r < rows.size(); r++) {
                final Seal row = rows.get(r);
                final byte[] members = row.members() == null ? new byte[0] : row.members();
                usable[r] = SealKey.Sha256.hex(members).equals(row.eventsSha256()) && SealMembers.count(members) == row.eventCount()
                        && members.length % SealMembers.SIZE == 0;
                if (!usable[r]) {
                    found(TrailFinding.Kind.BAD_SIGNATURE, row.chainId(), row.seq(), null,
                            "its members are not those its signed events_sha256 covers");
                }
                rowStart[r + 1] = rowStart[r] + (usable[r] ? SealMembers.count(members) : 0);
                if (usable[r]) {
                    eventsFrom = row.firstAt().isBefore(eventsFrom) ? row.firstAt() : eventsFrom;
                    eventsTo = row.lastAt().isAfter(eventsTo) ? row.lastAt() : eventsTo;
                }
            }
            final int total = rowStart[rows.size()];
            final MemberIndex index = new MemberIndex(total);
            final int[] rowOf = new int[total];
            for (int r = 0; r < rows.size(); r++) {
                final byte[] members = rows.get(r).members();
                for (int i = 0; i < rowStart[r + 1] - rowStart[r]; i++) {
                    index.put(SealMembers.most(members, i), SealMembers.least(members, i), rowStart[r] + i);
                    rowOf[rowStart[r] + i] = r;
                }
            }
            final boolean[] seen = new boolean[total];
            final long[] read = {0};
            source.events(eventsFrom, eventsTo, event -> {
                read[0]++;
                final int member = index.get(event.id().getMostSignificantBits(), event.id().getLeastSignificantBits());
                if (member < 0) {
                    if (!event.occurredAt().isBefore(lo) && !event.occurredAt().isAfter(hi)) {
                        found(TrailFinding.Kind.EVENT_UNSEALED, null, null, event.id(), "stored outside any sealed batch");
                    }
                    return;
                }
                seen[member] = true;
                final Seal row = rows.get(rowOf[member]);
                final int i = member - rowStart[rowOf[member]];
                if (!SealMembers.hashIs(row.members(), i, event.hash())
                        && (event.wireHash() == null || !SealMembers.hashIs(row.members(), i, event.wireHash().get()))) {
                    found(TrailFinding.Kind.EVENT_CHANGED, row.chainId(), row.seq(), event.id(),
                            "differs from what its batch sealed");
                }
            });
            for (int member = 0; member < total; member++) {
                if (!seen[member]) {
                    final Seal row = rows.get(rowOf[member]);
                    found(TrailFinding.Kind.EVENT_DELETED, row.chainId(), row.seq(),
                            SealMembers.id(row.members(), member - rowStart[rowOf[member]]), "sealed but not in the store");
                }
            }
            return read[0];
        }
    }
}
