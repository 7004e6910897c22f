package io.authservice.auth;

import com.github.benmanes.caffeine.cache.Ticker;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

class FailedAttemptThrottleTest {
    private final AtomicLong nanos = new AtomicLong(1_000_000_000L);
    private final Ticker ticker = nanos::get;
    private final FailedAttemptThrottle throttle = new FailedAttemptThrottle(3, Duration.ofSeconds(60), 1000, ticker);

    @Test
    void throttlesAtTheLimitUntilTheWindowEnds() {
        throttle.recordFailure("a");
        throttle.recordFailure("a");
        assertThat(throttle.retryAfterSeconds("a")).isEmpty();
        throttle.recordFailure("a");
        assertThat(throttle.retryAfterSeconds("a")).hasValue(60);

        nanos.addAndGet(Duration.ofSeconds(45).toNanos());
        assertThat(throttle.retryAfterSeconds("a")).hasValue(15);

        nanos.addAndGet(Duration.ofMillis(14_500).toNanos());
        assertThat(throttle.retryAfterSeconds("a")).hasValue(1);

        nanos.addAndGet(Duration.ofMillis(500).toNanos());
        assertThat(throttle.retryAfterSeconds("a")).isEmpty();
    }

    @Test
    void aNewWindowStartsAfterTheOldOneEnds() {
        throttle.recordFailure("a");
        throttle.recordFailure("a");
        nanos.addAndGet(Duration.ofSeconds(61).toNanos());
        throttle.recordFailure("a");
        throttle.recordFailure("a");
        assertThat(throttle.retryAfterSeconds("a")).isEmpty();
        throttle.recordFailure("a");
        assertThat(throttle.retryAfterSeconds("a")).isPresent();
    }

    @Test
    void addressesAreCountedApart() {
        for (int i = 0; i < 3; i++) {
            throttle.recordFailure("a");
        }
        throttle.recordFailure("b");
        assertThat(throttle.retryAfterSeconds("a")).isPresent();
        assertThat(throttle.retryAfterSeconds("b")).isEmpty();
        assertThat(throttle.retryAfterSeconds("never-failed")).isEmpty();
    }
}
