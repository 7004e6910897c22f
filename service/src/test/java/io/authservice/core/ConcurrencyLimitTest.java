package io.authservice.core;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

class ConcurrencyLimitTest {
    private final AtomicInteger refusals = new AtomicInteger();

    @Test
    void aCallerThatGetsNoTurnInTimeIsRefusedAndItsWorkNeverRuns() throws Exception {
        final ConcurrencyLimit limit = new ConcurrencyLimit(2, Duration.ofMillis(50), refusals::incrementAndGet);
        final CountDownLatch release = new CountDownLatch(1);
        final ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            final List<CompletableFuture<String>> holders = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                holders.add(CompletableFuture.supplyAsync(() -> limit.call(() -> {
                    waitFor(release);
                    return "done";
                }), pool));
            }
            await().atMost(Duration.ofSeconds(5)).until(() -> limit.running() == 2);

            final AtomicInteger ran = new AtomicInteger();
            assertThatThrownBy(() -> limit.call(ran::incrementAndGet))
                    .isInstanceOf(ConcurrencyLimit.OverloadedException.class)
                    .satisfies(e -> assertThat(((RequestRefusedException) e).status()).isEqualTo(503));
            assertThat(ran.get()).isZero();
            assertThat(refusals.get()).isEqualTo(1);

            release.countDown();
            for (CompletableFuture<String> holder : holders) {
                assertThat(holder.get(5, TimeUnit.SECONDS)).isEqualTo("done");
            }
            assertThat(limit.call(() -> "again")).isEqualTo("again");
            assertThat(limit.running()).isZero();
            assertThat(limit.peak()).isEqualTo(2);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void manyCallersNeverRunMoreThanTheLimitAtOnce() throws Exception {
        final ConcurrencyLimit limit = new ConcurrencyLimit(3, Duration.ofSeconds(30), refusals::incrementAndGet);
        final AtomicInteger inside = new AtomicInteger();
        final AtomicInteger mostInside = new AtomicInteger();
        final ExecutorService pool = Executors.newFixedThreadPool(32);
        try {
            final List<CompletableFuture<Integer>> calls = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                calls.add(CompletableFuture.supplyAsync(() -> limit.call(() -> {
                    mostInside.accumulateAndGet(inside.incrementAndGet(), Math::max);
                    Thread.onSpinWait();
                    return inside.decrementAndGet();
                }), pool));
            }
            CompletableFuture.allOf(calls.toArray(new CompletableFuture[0])).get(30, TimeUnit.SECONDS);
            assertThat(mostInside.get()).isBetween(1, 3);
            // the limit counts a caller from its turn's start to its end, the work only while it runs: at least as many
            assertThat(limit.peak()).isBetween(mostInside.get(), 3);
            assertThat(refusals.get()).isZero();
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void theWorksExceptionFreesTheTurn() {
        final ConcurrencyLimit limit = new ConcurrencyLimit(1, Duration.ofMillis(10), refusals::incrementAndGet);
        assertThatThrownBy(() -> limit.call(() -> {
            throw new IllegalStateException("boom");
        })).hasMessage("boom");
        assertThat(limit.running()).isZero();
        assertThat(limit.call(() -> 1)).isEqualTo(1);
    }

    private static void waitFor(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
