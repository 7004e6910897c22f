package io.authservice.auth;

import com.github.benmanes.caffeine.cache.Ticker;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class FailedAttemptThrottleTest {
    private final AtomicLong nanos = new AtomicLong(1_000_000_000L);
    private final Ticker ticker = nanos::get;
    private final FailedAttemptThrottle throttle = new FailedAttemptThrottle(3, Duration.ofSeconds(60), 1000,
            Duration.ofSeconds(5), ticker);

    private void fail(String key) {
        final FailedAttemptThrottle.Verdict verdict = throttle.tryAcquire(key);
        assertThat(verdict).isInstanceOf(FailedAttemptThrottle.Attempt.class);
        try (FailedAttemptThrottle.Attempt attempt = (FailedAttemptThrottle.Attempt) verdict) {
            attempt.failed();
        }
    }

    private void succeed(String key) {
        final FailedAttemptThrottle.Verdict verdict = throttle.tryAcquire(key);
        assertThat(verdict).isInstanceOf(FailedAttemptThrottle.Attempt.class);
        ((FailedAttemptThrottle.Attempt) verdict).close();
    }

    private static long retryAfter(FailedAttemptThrottle.Verdict verdict) {
        assertThat(verdict).isInstanceOf(FailedAttemptThrottle.Throttled.class);
        return ((FailedAttemptThrottle.Throttled) verdict).retryAfterSeconds();
    }

    @Test
    void throttlesAtTheLimitUntilTheWindowEnds() {
        fail("a");
        fail("a");
        fail("a");
        assertThat(retryAfter(throttle.tryAcquire("a"))).isEqualTo(60);

        nanos.addAndGet(Duration.ofSeconds(45).toNanos());
        assertThat(retryAfter(throttle.tryAcquire("a"))).isEqualTo(15);

        nanos.addAndGet(Duration.ofMillis(14_500).toNanos());
        assertThat(retryAfter(throttle.tryAcquire("a"))).isEqualTo(1);

        nanos.addAndGet(Duration.ofMillis(500).toNanos());
        succeed("a");
    }

    @Test
    void aNewWindowStartsAfterTheOldOneEnds() {
        fail("a");
        fail("a");
        nanos.addAndGet(Duration.ofSeconds(61).toNanos());
        fail("a");
        fail("a");
        succeed("a");
        fail("a");
        assertThat(throttle.tryAcquire("a")).isInstanceOf(FailedAttemptThrottle.Throttled.class);
    }

    @Test
    void keysAreCountedApart() {
        for (int i = 0; i < 3; i++) {
            fail("a");
        }
        fail("b");
        assertThat(throttle.tryAcquire("a")).isInstanceOf(FailedAttemptThrottle.Throttled.class);
        succeed("b");
        succeed("never-failed");
    }

    @Test
    void successesAreGivenBackAndNeverThrottle() {
        for (int i = 0; i < 100; i++) {
            succeed("a");
        }
        fail("a");
        fail("a");
        succeed("a");
        fail("a");
        assertThat(throttle.tryAcquire("a")).isInstanceOf(FailedAttemptThrottle.Throttled.class);
    }

    @Test
    void anAttemptClosedWithoutAVerdictIsGivenBack() {
        for (int i = 0; i < 10; i++) {
            try (FailedAttemptThrottle.Attempt attempt = (FailedAttemptThrottle.Attempt) throttle.tryAcquire("a")) {
                assertThat(attempt).isNotNull(); // e.g. the check threw: nothing was judged
            }
        }
        fail("a");
        fail("a");
        fail("a");
        assertThat(throttle.tryAcquire("a")).isInstanceOf(FailedAttemptThrottle.Throttled.class);
    }

    @Test
    void attemptsStillBeingCheckedCountAgainstTheLimit() {
        final List<FailedAttemptThrottle.Attempt> pending = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            pending.add((FailedAttemptThrottle.Attempt) throttle.tryAcquire("a"));
        }
        pending.forEach(FailedAttemptThrottle.Attempt::failed);
        // all three failed: the next is refused without waiting
        assertThat(retryAfter(throttle.tryAcquire("a"))).isEqualTo(60);
    }

    @Test
    void aBurstOfConcurrentAttemptsChecksNoMoreThanTheLimit() throws Exception {
        final int burst = 30;
        final AtomicInteger checked = new AtomicInteger();
        final CountDownLatch start = new CountDownLatch(1);
        final ExecutorService pool = Executors.newFixedThreadPool(burst);
        try {
            final List<Future<Boolean>> answers = new ArrayList<>();
            for (int i = 0; i < burst; i++) {
                answers.add(pool.submit(() -> {
                    start.await();
                    final FailedAttemptThrottle.Verdict verdict = throttle.tryAcquire("victim");
                    if (verdict instanceof FailedAttemptThrottle.Attempt attempt) {
                        try (attempt) {
                            checked.incrementAndGet();
                            attempt.failed();
                        }
                        return true;
                    }
                    return false;
                }));
            }
            start.countDown();
            int admitted = 0;
            for (Future<Boolean> answer : answers) {
                admitted += answer.get(10, TimeUnit.SECONDS) ? 1 : 0;
            }
            assertThat(checked.get()).isEqualTo(admitted).isEqualTo(3);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void anAttemptWaitsForOthersStillBeingCheckedAndPassesWhenTheySucceed() throws Exception {
        final List<FailedAttemptThrottle.Attempt> pending = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            pending.add((FailedAttemptThrottle.Attempt) throttle.tryAcquire("a"));
        }
        final CompletableFuture<FailedAttemptThrottle.Verdict> waiting = CompletableFuture.supplyAsync(() -> throttle.tryAcquire("a"));
        assertThat(waiting).isNotDone();
        pending.get(0).close(); // a good credential: given back, and the waiting attempt takes its place
        await().atMost(Duration.ofSeconds(5)).until(waiting::isDone);
        assertThat(waiting.get()).isInstanceOf(FailedAttemptThrottle.Attempt.class);
    }

    @Test
    void anAttemptThatWaitsInVainIsRefusedForAMoment() {
        final FailedAttemptThrottle quick = new FailedAttemptThrottle(1, Duration.ofSeconds(60), 1000, Duration.ofMillis(20), ticker);
        final FailedAttemptThrottle.Verdict first = quick.tryAcquire("a");
        assertThat(first).isInstanceOf(FailedAttemptThrottle.Attempt.class);
        assertThat(retryAfter(quick.tryAcquire("a"))).isEqualTo(1);
        ((FailedAttemptThrottle.Attempt) first).close();
        assertThat(quick.tryAcquire("a")).isInstanceOf(FailedAttemptThrottle.Attempt.class);
    }
}
