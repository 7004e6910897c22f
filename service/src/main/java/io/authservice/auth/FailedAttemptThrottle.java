package io.authservice.auth;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.github.benmanes.caffeine.cache.Ticker;

import java.time.Duration;
import java.util.OptionalLong;

/**
 * Counts failed attempts per client address in fixed windows. Once an address reaches the limit
 * within a window, it is refused until the window ends, without any lookup.
 */
public final class FailedAttemptThrottle {
    private final int maxFailures;
    private final long windowNanos;
    private final Ticker ticker;
    private final Cache<String, Window> windows;

    public FailedAttemptThrottle(int maxFailures, Duration window, long maximumTracked, Ticker ticker) {
        this.maxFailures = maxFailures;
        this.windowNanos = window.toNanos();
        this.ticker = ticker;
        this.windows = Caffeine.newBuilder()
                .maximumSize(maximumTracked)
                .expireAfter(Expiry.creating((String address, Window w) -> window))
                .ticker(ticker)
                .build();
    }

    /** Seconds until this address may try again, if it is throttled now. */
    public OptionalLong retryAfterSeconds(String address) {
        final Window window = windows.getIfPresent(address);
        if (window == null || window.failures < maxFailures) {
            return OptionalLong.empty();
        }
        final long remaining = window.startNanos + windowNanos - ticker.read();
        if (remaining <= 0) {
            return OptionalLong.empty();
        }
        return OptionalLong.of(Math.max(1, (remaining + 999_999_999L) / 1_000_000_000L));
    }

    /** Counts one failure from this address. */
    public void recordFailure(String address) {
        final long now = ticker.read();
        windows.asMap().compute(address, (key, current) ->
                current == null || now - current.startNanos >= windowNanos
                        ? new Window(now, 1)
                        : new Window(current.startNanos, current.failures + 1));
    }

    private record Window(long startNanos, int failures) {
    }
}
