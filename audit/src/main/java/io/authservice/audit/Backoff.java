package io.authservice.audit;

import java.time.Duration;

/**
 * How long to wait before the next attempt after a failure: {@code initial} first, then twice the
 * last wait, never more than {@code max}, until {@link #reset()} after a success. One per retrying
 * thread (not thread-safe).
 */
public final class Backoff {
    private final long initialMillis;
    private final long maxMillis;
    private long nextMillis;

    public Backoff(Duration initial, Duration max) {
        if (initial.toMillis() < 1 || max.compareTo(initial) < 0) {
            throw new IllegalArgumentException("need 1 ms <= initial <= max, got " + initial + " and " + max);
        }
        this.initialMillis = initial.toMillis();
        this.maxMillis = max.toMillis();
        this.nextMillis = initialMillis;
    }

    /** The wait before the next attempt; each call doubles the one after, up to the maximum. */
    public long nextDelayMillis() {
        final long delay = nextMillis;
        nextMillis = Math.min(maxMillis, nextMillis * 2);
        return delay;
    }

    /** Starts again from the initial wait (after a success). */
    public void reset() {
        nextMillis = initialMillis;
    }
}
