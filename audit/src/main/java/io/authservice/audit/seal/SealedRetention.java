package io.authservice.audit.seal;

import com.google.common.collect.Lists;
import io.authservice.audit.UtcInstantArgumentFactory;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.result.ResultIterator;

import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * Retention over the sealed trail: removes whole sealed batches only, and leaves per chain one signed
 * "purged up to here" record ({@link SealPurge}), so the trail still verifies after a purge.
 *
 * <p>A chain's batches go in sequence order from its start (or its last purge record) while every
 * event of the batch is older than the cutoff ({@code last_at} before it): a batch straddling the
 * cutoff stays whole until it is all old enough, and so do the batches after it. The run stops at a
 * missing seal, so a gap stays reported. Each transaction locks the chain's head (its writer waits),
 * deletes at most about {@code maxEvents} events with their seals and rewrites the chain's record.
 */
public final class SealedRetention {
    private static final int IDS_PER_STATEMENT = 1000;

    private final Jdbi jdbi;
    private final SealKey key;
    private final Clock clock;

    /** @param key the purging writer's key, which signs the purge records */
    public SealedRetention(Jdbi jdbi, SealKey key, Clock clock) {
        this.jdbi = Objects.requireNonNull(jdbi, "jdbi");
        this.key = Objects.requireNonNull(key, "key");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /**
     * What a purge of the sealed batches did, or would do.
     *
     * @param events events of the purged batches
     * @param seals  seals removed with their batches
     * @param kept   the events of the sealed batches that stay although they began before the cutoff:
     *               the purge of unsealed events must leave these alone
     */
    public record Result(long events, long seals, Set<UUID> kept) {
        public Result {
            kept = Set.copyOf(kept);
        }
    }

    /** Purges every chain's whole batches older than {@code cutoff}; stops between transactions when the thread is interrupted. */
    public Result purge(Instant cutoff, int maxEvents) {
        if (maxEvents < 1) {
            throw new IllegalArgumentException("maxEvents must be positive");
        }
        long events = 0;
        long seals = 0;
        for (String chain : chains()) {
            long[] step;
            do {
                step = jdbi.inTransaction(handle -> purgeSome(handle, chain, cutoff, maxEvents));
                events += step[0];
                seals += step[1];
            } while (step[1] > 0 && !Thread.currentThread().isInterrupted());
        }
        return new Result(events, seals, kept(cutoff, Set.of()));
    }

    /** What {@link #purge} would remove, without removing it. */
    public Result count(Instant cutoff) {
        return jdbi.withHandle(handle -> {
            long events = 0;
            final Set<String> purgeable = new HashSet<>();
            for (String chain : chains()) {
                final List<long[]> rows = purgeable(handle, chain, after(handle, chain), cutoff, Long.MAX_VALUE);
                for (long[] row : rows) {
                    events += row[1];
                    purgeable.add(chain + "/" + row[0]);
                }
            }
            return new Result(events, purgeable.size(), kept(cutoff, purgeable));
        });
    }

    /** The chain's purge record, if retention has cut it. */
    public static Optional<SealPurge> record(Handle handle, String chain) {
        return handle.createQuery("SELECT " + SealPurge.COLUMNS + " FROM audit_seal_purges WHERE chain_id = :chain")
                .bind("chain", chain).map((rs, ctx) -> SealPurge.read(rs)).findOne();
    }

    /** Every chain's purge record. */
    public static List<SealPurge> records(Handle handle) {
        return handle.createQuery("SELECT " + SealPurge.COLUMNS + " FROM audit_seal_purges ORDER BY chain_id")
                .map((rs, ctx) -> SealPurge.read(rs)).list();
    }

    private List<String> chains() {
        return jdbi.withHandle(handle -> handle.createQuery("SELECT chain_id FROM audit_seal_chains ORDER BY chain_id")
                .mapTo(String.class).list());
    }

    private static long after(Handle handle, String chain) {
        return record(handle, chain).map(SealPurge::lastSeq).orElse(0L);
    }

    /** One transaction: returns the events and seals it removed. */
    private long[] purgeSome(Handle handle, String chain, Instant cutoff, int maxEvents) {
        Seals.lockHead(handle, chain);
        final List<long[]> rows = purgeable(handle, chain, after(handle, chain), cutoff, maxEvents);
        if (rows.isEmpty()) {
            return new long[]{0, 0};
        }
        final long first = rows.get(0)[0];
        final long last = rows.get(rows.size() - 1)[0];
        final List<UUID> ids = new ArrayList<>();
        handle.createQuery("SELECT members FROM audit_seals WHERE chain_id = :chain AND seq BETWEEN :first AND :last")
                .bind("chain", chain).bind("first", first).bind("last", last)
                .map((rs, ctx) -> rs.getBytes(1)).forEach(members -> addIds(members, ids));
        long events = 0;
        for (List<UUID> chunk : Lists.partition(ids, IDS_PER_STATEMENT)) {
            events += handle.createUpdate("DELETE FROM audit_events WHERE id IN (<ids>)").bindList("ids", chunk).execute();
        }
        final Seal lastSeal = Seals.select(handle.createQuery("SELECT " + Seals.COLUMNS + " FROM audit_seals"
                + " WHERE chain_id = :chain AND seq = :seq").bind("chain", chain).bind("seq", last)).one();
        final int seals = handle.createUpdate("DELETE FROM audit_seals WHERE chain_id = :chain AND seq BETWEEN :first AND :last")
                .bind("chain", chain).bind("first", first).bind("last", last).execute();
        final SealPurge record = new SealPurge(chain, last, lastSeal.digest(), cutoff,
                clock.instant().truncatedTo(ChronoUnit.MICROS), key.keyId(), null).signedBy(key);
        handle.createUpdate("DELETE FROM audit_seal_purges WHERE chain_id = :chain").bind("chain", chain).execute();
        handle.createUpdate("INSERT INTO audit_seal_purges (" + SealPurge.COLUMNS + ") VALUES (:chainId, :lastSeq, :lastDigest,"
                        + " :cutoff, :purgedAt, :keyId, :signature)")
                .registerArgument(new UtcInstantArgumentFactory()).bindMethods(record).execute();
        return new long[]{events, seals};
    }

    /**
     * The chain's next batches from {@code after + 1} that may go: in sequence with no gap, each a
     * batch wholly before {@code cutoff}, together at most {@code maxEvents} events (but at least one
     * batch). Each as {seq, event count}.
     */
    private static List<long[]> purgeable(Handle handle, String chain, long after, Instant cutoff, long maxEvents) {
        final List<long[]> rows = new ArrayList<>();
        long events = 0;
        try (ResultIterator<Object[]> it = handle.createQuery("SELECT seq, kind, event_count, last_at FROM audit_seals"
                        + " WHERE chain_id = :chain AND seq > :after ORDER BY seq")
                .bind("chain", chain).bind("after", after).setFetchSize(1000)
                .map((rs, ctx) -> new Object[]{rs.getLong(1), rs.getString(2), rs.getLong(3),
                        rs.getObject(4, java.time.OffsetDateTime.class).toInstant()}).iterator()) {
            long expected = after + 1;
            while (it.hasNext()) {
                final Object[] row = it.next();
                final long seq = (long) row[0];
                final long count = (long) row[2];
                if (seq != expected || !Seal.BATCH.equals(row[1]) || !((Instant) row[3]).isBefore(cutoff)
                        || (!rows.isEmpty() && events + count > maxEvents)) {
                    break;
                }
                rows.add(new long[]{seq, count});
                events += count;
                expected++;
            }
        }
        return rows;
    }

    /** The events of sealed batches that began before the cutoff and stay (leaving out {@code purgeable}, "chain/seq"). */
    private Set<UUID> kept(Instant cutoff, Set<String> purgeable) {
        final List<UUID> ids = new ArrayList<>();
        jdbi.useHandle(handle -> handle.createQuery("SELECT chain_id, seq, members FROM audit_seals"
                        + " WHERE kind = :kind AND first_at < :cutoff")
                .registerArgument(new UtcInstantArgumentFactory()).bind("kind", Seal.BATCH).bind("cutoff", cutoff)
                .map((rs, ctx) -> purgeable.contains(rs.getString(1) + "/" + rs.getLong(2)) ? null : rs.getBytes(3))
                .forEach(members -> {
                    if (members != null) {
                        addIds(members, ids);
                    }
                }));
        return new HashSet<>(ids);
    }

    private static void addIds(byte[] members, List<UUID> ids) {
        if (members == null) {
            return;
        }
        for (int i = 0; i < SealMembers.count(members); i++) {
            ids.add(SealMembers.id(members, i));
        }
    }
}
