package io.authservice.auth;

import io.authservice.db.ApiKeyDAO;
import io.dropwizard.lifecycle.Managed;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Remembers the latest use of each key in memory and writes them in one batch per interval, so a
 * key's {@code last_used_at} (kept to the second) is written at most once per interval however busy
 * it is, and never on the request path.
 */
public final class LastUsedRecorder implements Managed {
    private static final Logger LOG = LoggerFactory.getLogger(LastUsedRecorder.class);

    private final Jdbi jdbi;
    private final Duration interval;
    private final ScheduledExecutorService executor;
    private final ConcurrentHashMap<Long, Instant> pending = new ConcurrentHashMap<>();

    public LastUsedRecorder(Jdbi jdbi, Duration interval, ScheduledExecutorService executor) {
        this.jdbi = jdbi;
        this.interval = interval;
        this.executor = executor;
    }

    /**
     * Notes a use, to the second; cheap, never touches the database. A busy key is already noted
     * for this second, so most calls only read the map and never take its per-bin lock.
     */
    public void recordUse(long keyId, Instant at) {
        final Instant second = at.truncatedTo(ChronoUnit.SECONDS);
        final Instant noted = pending.get(keyId);
        if (noted != null && !second.isAfter(noted)) {
            return;
        }
        pending.merge(keyId, second, (a, b) -> a.isAfter(b) ? a : b);
    }

    /** Writes every pending use in one batch; returns how many keys were written. */
    public int flush() {
        final List<Long> ids = new ArrayList<>();
        final List<Instant> times = new ArrayList<>();
        for (Map.Entry<Long, Instant> entry : pending.entrySet()) {
            if (pending.remove(entry.getKey(), entry.getValue())) {
                ids.add(entry.getKey());
                times.add(entry.getValue());
            }
        }
        if (ids.isEmpty()) {
            return 0;
        }
        try {
            jdbi.useExtension(ApiKeyDAO.class, dao -> dao.recordLastUsed(ids, times));
        } catch (RuntimeException e) {
            for (int i = 0; i < ids.size(); i++) {
                recordUse(ids.get(i), times.get(i)); // keep them for the next flush
            }
            throw e;
        }
        return ids.size();
    }

    public int pendingKeys() {
        return pending.size();
    }

    @Override
    public void start() {
        final long millis = interval.toMillis();
        executor.scheduleWithFixedDelay(this::flushSafely, millis, millis, TimeUnit.MILLISECONDS);
    }

    @Override
    public void stop() throws InterruptedException {
        executor.shutdown();
        if (!executor.awaitTermination(5, TimeUnit.SECONDS)) {
            executor.shutdownNow();
        }
        flushSafely();
    }

    private void flushSafely() {
        try {
            flush();
        } catch (RuntimeException e) {
            LOG.warn("cannot write last_used_at for {} key(s); will retry", pending.size(), e);
        }
    }
}
