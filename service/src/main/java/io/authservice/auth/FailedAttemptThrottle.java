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
            final Window window = windows.asMap().compute(key, (k, current) ->
                    current == null || current.closed || now - current.startNanos >= windowNanos ? new Window(now) : current);
            final Verdict verdict = window.enter(key, deadline);
            if (verdict != null) {
                return verdict;
            }
            // the window was closed or ended while we waited for it: take the key's current one
        }
    }

    /**
     * An attempt counted against its window. {@link #failed} keeps it counted; {@link #close}
     * without it gives it back. Close it in every case (try-with-resources), so that an attempt
     * cut short by an exception is given back rather than held until the window ends.
     */
    public final class Attempt implements Verdict, AutoCloseable {
        private final String key;
        private final Window window;
        private boolean settled;

        private Attempt(String key, Window window) {
            this.key = key;
            this.window = window;
        }

        /** The attempt failed: it stays counted for the rest of its window. */
        public void failed() {
            if (!settled) {
                settled = true;
                window.settle(true, key);
            }
        }

        /** Gives the attempt back unless it {@link #failed}. */
        @Override
        public void close() {
            if (!settled) {
                settled = true;
                window.settle(false, key);
            }
        }
    }

    /** One key's window: its failures and its attempts still being checked. */
    private final class Window {
        private final long startNanos;
        private int failures;
        private int pending;
        /** Set (under this window's lock) when it was removed from the map: no attempt may enter it any more. */
        private volatile boolean closed;

        private Window(long startNanos) {
            this.startNanos = startNanos;
        }

        /** An attempt, a refusal, or null when this window was closed or has ended and the key's current one must be taken. */
        private synchronized Verdict enter(String key, long deadline) {
            while (!closed) {
                final long now = ticker.read();
                if (now - startNanos >= windowNanos) {
                    return null;
                }
                if (failures >= maxFailures) {
                    return new Throttled(secondsLeft(now));
                }
                if (failures + pending < maxFailures) {
                    pending++;
                    return new Attempt(key, this);
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
            return null;
        }

        private synchronized void settle(boolean failed, String key) {
            pending--;
            if (failed) {
                failures++;
            } else if (failures == 0 && pending == 0) {
                // nothing to remember: forget the key, so that good attempts do not fill the cache
                closed = true;
                windows.asMap().remove(key, this);
            }
            notifyAll();
        }

        private long secondsLeft(long now) {
            final long remaining = startNanos + windowNanos - now;
            return Math.max(1, (remaining + 999_999_999L) / 1_000_000_000L);
        }
    }
}
