package io.authservice.core;

import java.time.Duration;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * Lets at most {@code maxConcurrent} callers at once run their work, in the order they came; a
 * caller that cannot get a turn within {@code maxWait} is refused with an {@link OverloadedException}
 * (and its work never runs). Counts the work running now and the most that ever ran at once, and
 * tells each refusal to a listener (e.g. a metric).
 */
public final class ConcurrencyLimit {
    private final Semaphore turns;
    private final int maxConcurrent;
    private final long maxWaitNanos;
    private final AtomicInteger running = new AtomicInteger();
    private final AtomicInteger peak = new AtomicInteger();
    private final Runnable onRefused;

    /** @param onRefused called on the refused caller's thread for each refusal */
    public ConcurrencyLimit(int maxConcurrent, Duration maxWait, Runnable onRefused) {
        if (maxConcurrent < 1) {
            throw new IllegalArgumentException("maxConcurrent must be at least 1");
        }
        this.turns = new Semaphore(maxConcurrent, true);
        this.maxConcurrent = maxConcurrent;
        this.maxWaitNanos = maxWait.toNanos();
        this.onRefused = onRefused;
    }

    /**
     * Runs {@code work} when a turn is free and answers what it returns.
     *
     * @throws OverloadedException when no turn came free within the wait (or the thread was interrupted)
     */
    public <T> T call(Supplier<T> work) {
        try {
            if (!turns.tryAcquire(maxWaitNanos, TimeUnit.NANOSECONDS)) {
                onRefused.run();
                throw new OverloadedException();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            onRefused.run();
            throw new OverloadedException();
        }
        try {
            peak.accumulateAndGet(running.incrementAndGet(), Math::max);
            return work.get();
        } finally {
            running.decrementAndGet();
            turns.release();
        }
    }

    public int maxConcurrent() {
        return maxConcurrent;
    }

    /** How many callers are running their work now. */
    public int running() {
        return running.get();
    }

    /** The most callers that ever ran their work at once. */
    public int peak() {
        return peak.get();
    }

    /** No turn came free in time: the work was not done; the caller may try again shortly (503). */
    public static final class OverloadedException extends RequestRefusedException {
        private OverloadedException() {
            super(503, "the service is busy with other password checks; retry in a moment");
        }
    }
}
