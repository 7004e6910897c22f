package io.authservice.auth;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.github.benmanes.caffeine.cache.Ticker;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Counts failed attempts per key (a client address, an account, ...) in fixed windows, so that no
 * window ever evaluates more than {@code maxFailures} attempts that fail. An attempt is counted
 * <em>before</em> it is checked ({@link #tryAcquire}) and given back if it succeeds
 * ({@link Attempt#close} without {@link Attempt#failed}); once the failures and the attempts still
 * being checked reach the limit, further attempts are refused until the window ends, without any
 * check. An attempt that finds the limit taken only by attempts still being checked waits up to
 * {@code settleWait} for them to settle (a burst of good credentials passes; a burst of bad ones is
 * cut at the limit).
 */
public final class FailedAttemptThrottle {
    private final int maxFailures;
    private final long windowNanos;
    private final long settleWaitNanos;
    private final Ticker ticker;
    private final Cache<String, Window> windows;

    /**
     * @param maxFailures    failures allowed per key within one window
     * @param window         the length of a window, from a key's first counted attempt
     * @param maximumTracked keys remembered at once; the least used are forgotten first
     * @param settleWait     how long an attempt waits for attempts still being checked to settle
     */
    public FailedAttemptThrottle(int maxFailures, Duration window, long maximumTracked, Duration settleWait,
                                 Ticker ticker) {
        if (maxFailures < 1) {
            throw new IllegalArgumentException("maxFailures must be at least 1");
        }
        this.maxFailures = maxFailures;
        this.windowNanos = window.toNanos();
        this.settleWaitNanos = settleWait.toNanos();
        this.ticker = ticker;
        this.windows = Caffeine.newBuilder()
                .maximumSize(maximumTracked)
                .expireAfter(new Expiry<String, Window>() {
                    // an entry lives exactly as long as its window
                    @Override
                    public long expireAfterCreate(String key, Window w, long currentTime) {
                        return w.startNanos + windowNanos - currentTime;
                    }

                    @Override
                    public long expireAfterUpdate(String key, Window w, long currentTime, long currentDuration) {
                        return w.startNanos + windowNanos - currentTime;
                    }

                    @Override
                    public long expireAfterRead(String key, Window w, long currentTime, long currentDuration) {
                        return currentDuration;
                    }
                })
                .ticker(ticker)
                .build();
    }

    /** What {@link #tryAcquire} came to. */
    public sealed interface Verdict permits Attempt, Throttled {
    }

    /** Refused without a check: retry after this many seconds (at least 1). */
    public record Throttled(long retryAfterSeconds) implements Verdict {
    }

    /**
     * Counts one attempt for {@code key}, or refuses it. Never waits longer than the settle wait, and
     * only when the limit is taken by attempts still being checked.
     */
    public Verdict tryAcquire(String key) {
        final long deadline = System.nanoTime() + settleWaitNanos;
        while (true) {
            final long now = ticker.read();
            Window window = windows.getIfPresent(key); // a read: the common case writes nothing to the cache
            if (window == null || window.endedBy(now)) {
                window = windows.asMap().compute(key, (k, current) ->
                        current == null || current.endedBy(now) ? new Window(now) : current);
            }
            final Verdict verdict = window.enter(deadline);
            if (verdict != null) {
                return verdict;
            }
            // the window ended while we waited in it: take the key's next one
        }
    }

    /**
     * An attempt counted against its window. {@link #failed} keeps it counted; {@link #close}
     * without it gives it back. Close it in every case (try-with-resources), so that an attempt
     * cut short by an exception is given back rather than held until the window ends.
     */
    public final class Attempt implements Verdict, AutoCloseable {
        private final Window window;
        private boolean settled;

        private Attempt(Window window) {
            this.window = window;
        }

        /** The attempt failed: it stays counted for the rest of its window. */
        public void failed() {
            if (!settled) {
                settled = true;
                window.settle(true);
            }
        }

        /** Gives the attempt back unless it {@link #failed}. */
        @Override
        public void close() {
            if (!settled) {
                settled = true;
                window.settle(false);
            }
        }
    }

    /**
     * One key's window: its failures and its attempts still being checked. It stays in the cache
     * until it ends, good attempts or not, so that a key in use costs a cache read per attempt.
     */
    private final class Window {
        private final long startNanos;
        private int failures;
        private int pending;

        private Window(long startNanos) {
            this.startNanos = startNanos;
        }

        private boolean endedBy(long now) {
            return now - startNanos >= windowNanos;
        }

        /** An attempt, a refusal, or null when this window has ended and the key's next one must be taken. */
        private synchronized Verdict enter(long deadline) {
            while (true) {
                final long now = ticker.read();
                if (endedBy(now)) {
                    return null;
                }
                if (failures >= maxFailures) {
                    return new Throttled(secondsLeft(now));
                }
                if (failures + pending < maxFailures) {
                    pending++;
                    return new Attempt(this);
                }
                final long wait = deadline - System.nanoTime();
                if (wait <= 0) {
                    // the limit is held by attempts still being checked; they will have settled in a moment
                    return new Throttled(1);
                }
                try {
                    TimeUnit.NANOSECONDS.timedWait(this, wait);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return new Throttled(1);
                }
            }
        }

        private synchronized void settle(boolean failed) {
            pending--;
            if (failed) {
                failures++;
            }
            notifyAll();
        }

        private long secondsLeft(long now) {
            final long remaining = startNanos + windowNanos - now;
            return Math.max(1, (remaining + 999_999_999L) / 1_000_000_000L);
        }
    }
}
