package io.authservice.db;

import io.dropwizard.lifecycle.Managed;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Keeps an in-process cache in step with changes made through any instance: every interval it reads
 * the rows of a {@link ChangeLog} it has not seen yet and hands what they name to {@code invalidate},
 * so a change made anywhere is seen here within about one interval, and requests never query the
 * database for it. No committed change is missed, however late its transaction commits.
 *
 * <p>How: change rows take their id from an identity column when they are inserted, but become
 * visible when their transaction commits, so a row can appear below ids already read. The poller
 * keeps the highest id it has read (its high-water mark) and every id below it that it has not seen
 * (a gap: a transaction still in flight, or one that rolled back and never will appear). Each poll
 * reads the rows above the mark and the rows among the gaps. A gap is given up once it is older than
 * {@code gapLifetime} (the cache's hard expiry): ids of rolled-back transactions stay missing for
 * ever, and a transaction held open longer than any cache entry lives is left to the cache's own
 * refresh and expiry. This holds on PostgreSQL and H2 alike (it needs no clock and no snapshot
 * function), unlike stamping rows with the time, which is the transaction's start on both.
 *
 * <p>The first poll reads the rows stamped within {@code gapLifetime} and the highest one, hands
 * them on (requests may have filled the cache before it) and takes the ids missing among them as
 * gaps. Old rows are pruned hourly, apart from the poll: a failed prune loses nothing a poll read.
 */
public class ChangeLogPoller<S> implements Managed {
    private static final Logger LOG = LoggerFactory.getLogger(ChangeLogPoller.class);
    /** Change rows older than this (or twice the gap lifetime, if longer) are deleted. */
    private static final Duration CHANGE_LOG_RETENTION = Duration.ofDays(1);
    private static final Duration PRUNE_EVERY = Duration.ofHours(1);
    /** At most this many gaps are kept (the highest ids, the likeliest to be in flight), bounding memory and queries. */
    public static final int MAX_GAPS = 10_000;

    private final String name;
    private final ChangeLog<S> log;
    private final Consumer<Set<S>> invalidate;
    private final Duration interval;
    private final Duration gapLifetime;
    private final Clock clock;
    private final ScheduledExecutorService executor;

    /** The highest change id read; negative until the first poll. */
    private long highWater = -1;
    /** Ids below {@link #highWater} not seen yet, with when each was first found missing. */
    private TreeMap<Long, Instant> gaps = new TreeMap<>();
    private Instant lastPrune;
    private volatile Instant lastSuccess;

    /**
     * @param name        what the log records, for log messages ("API key")
     * @param invalidate  drops what changed from the cache; a poll that throws here is read again in full
     * @param gapLifetime how long an id missing below the high-water mark is looked for; the cache's
     *                    hard expiry ({@code expireAfterWrite})
     */
    public ChangeLogPoller(String name, ChangeLog<S> log, Consumer<Set<S>> invalidate, Duration interval,
                           Duration gapLifetime, Clock clock, ScheduledExecutorService executor) {
        this.name = name;
        this.log = log;
        this.invalidate = invalidate;
        this.interval = interval;
        this.gapLifetime = gapLifetime;
        this.clock = clock;
        this.executor = executor;
    }

    @Override
    public void start() {
        executor.scheduleWithFixedDelay(this::pollSafely, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public void stop() throws InterruptedException {
        executor.shutdownNow();
        if (!executor.awaitTermination(5, TimeUnit.SECONDS)) {
            LOG.warn("the {} change log poller did not stop within 5 s", name);
        }
    }

    /**
     * One look at the change log, then a prune when one is due. The poll's state moves on only once
     * what it read is invalidated, so a failed poll is read again in full.
     * Not thread-safe: called from the poller's single thread (or a test).
     */
    public void poll() {
        final Instant now = clock.instant();
        final List<ChangeLog.Change<S>> read = highWater < 0 ? log.recent(gapLifetime) : readUnseen();
        final TreeMap<Long, Instant> nextGaps = new TreeMap<>(gaps);
        final Set<S> changed = new LinkedHashSet<>();
        long nextHighWater = highWater < 0 && !read.isEmpty() ? read.get(0).id() : Math.max(highWater, 0);
        for (ChangeLog.Change<S> change : read) {
            changed.add(change.subject());
            nextGaps.remove(change.id());
            if (change.id() > nextHighWater) {
                addGaps(nextGaps, nextHighWater + 1, change.id(), now);
                nextHighWater = change.id();
            }
        }
        if (!changed.isEmpty()) {
            invalidate.accept(changed);
        }
        nextGaps.values().removeIf(noticed -> noticed.plus(gapLifetime).isBefore(now));
        while (nextGaps.size() > MAX_GAPS) {
            nextGaps.pollFirstEntry();
        }
        highWater = nextHighWater;
        gaps = nextGaps;
        lastSuccess = now;
        pruneIfDue(now);
    }

    /** How long ago the change log was last read successfully (by this poller's clock), if ever. */
    public Optional<Duration> staleness() {
        final Instant last = lastSuccess;
        return last == null ? Optional.empty() : Optional.of(Duration.between(last, clock.instant()));
    }

    public Duration interval() {
        return interval;
    }

    /** How many ids below the high-water mark are still looked for; for tests and diagnosis. */
    public int openGaps() {
        return gaps.size();
    }

    private List<ChangeLog.Change<S>> readUnseen() {
        final List<ChangeLog.Change<S>> read = new ArrayList<>(log.among(List.copyOf(gaps.keySet())));
        read.addAll(log.after(highWater));
        return read;
    }

    /** Adds {@code [from, to)} as gaps noticed {@code now}, at most {@link #MAX_GAPS} of the highest. */
    private void addGaps(TreeMap<Long, Instant> gaps, long from, long to, Instant now) {
        if (to - from > MAX_GAPS) {
            LOG.warn("the {} change log skips {} ids below {}; only the highest {} are looked for", name, to - from, to,
                    MAX_GAPS);
        }
        for (long id = Math.max(from, to - MAX_GAPS); id < to; id++) {
            gaps.put(id, now);
        }
    }

    private void pruneIfDue(Instant now) {
        if (lastPrune != null && Duration.between(lastPrune, now).compareTo(PRUNE_EVERY) < 0) {
            return;
        }
        lastPrune = now;
        final Duration retention = gapLifetime.multipliedBy(2).compareTo(CHANGE_LOG_RETENTION) > 0
                ? gapLifetime.multipliedBy(2) : CHANGE_LOG_RETENTION;
        try {
            log.prune(retention);
        } catch (RuntimeException e) {
            LOG.warn("cannot prune the {} change log; tried again in {}", name, PRUNE_EVERY, e);
        }
    }

    private void pollSafely() {
        try {
            poll();
        } catch (RuntimeException e) {
            LOG.warn("cannot read the {} change log; changes made elsewhere are not seen until it can", name, e);
        }
    }
}
