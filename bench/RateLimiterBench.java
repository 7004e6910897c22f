import com.github.benmanes.caffeine.cache.Ticker;
import io.authservice.auth.ApiKeyRateLimiter;
import io.authservice.core.AllowedAddresses;
import io.authservice.core.ApiKey;
import io.authservice.core.KeyPolicy;
import io.authservice.core.RateLimit;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CyclicBarrier;

/**
 * The per-key rate limiter's cost on the request thread (issue 13): CPU ns and allocated bytes per
 * {@link ApiKeyRateLimiter#tryAcquire} (a Bucket4j bucket per key in a Caffeine map, the system
 * ticker as in the service), for a key with no limit (the check returns at once), one limited key,
 * and 10,000 limited keys taken in turn, on 1 and 2 threads. The limits are high enough that every
 * check is allowed (the common path). CPU and allocation are each checking thread's own
 * ({@code ThreadMXBean} thread CPU time and allocated bytes), which other processes on a loaded
 * machine disturb far less than wall time; wall ns per check is printed beside them.
 * Prints one {@code result <case> <threads> <cpu ns/check> <bytes/check> <wall ns/check>} line per
 * round after a warm-up round.
 *
 * <p>Usage: {@code java -cp service/target/auth-service.jar bench/RateLimiterBench.java <rounds> <checks per thread per round>}
 */
public final class RateLimiterBench {
    private static final int MANY = 10_000;
    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    public static void main(String[] args) throws Exception {
        final int rounds = Integer.parseInt(args[0]);
        final int checks = Integer.parseInt(args[1]);
        final RateLimit high = new RateLimit(RateLimit.MAX_PERMITS, Duration.ofSeconds(1));
        final ApiKey[] unlimited = {key(1, null)};
        final ApiKey[] one = {key(2, high)};
        final ApiKey[] many = new ApiKey[MANY];
        for (int i = 0; i < MANY; i++) {
            many[i] = key(1_000 + i, high);
        }
        final String[] names = {"no-limit", "one-key", "10000-keys"};
        final ApiKey[][] cases = {unlimited, one, many};
        for (int round = 0; round <= rounds; round++) {
            for (int c = 0; c < cases.length; c++) {
                for (int threads = 1; threads <= 2; threads++) {
                    // a fresh limiter per round, as after a start; the warm-up round fills the JIT
                    final ApiKeyRateLimiter limiter = new ApiKeyRateLimiter(1, 100_000, Ticker.systemTicker());
                    final double[] figures = run(limiter, cases[c], threads, checks);
                    if (round > 0) {
                        System.out.printf("result %s %d %.1f %.1f %.1f%n", names[c], threads, figures[0], figures[1], figures[2]);
                    }
                }
            }
        }
    }

    /** CPU ns, allocated bytes and wall ns per check, over all the checking threads. */
    private static double[] run(ApiKeyRateLimiter limiter, ApiKey[] keys, int threads, int checks) throws Exception {
        final long[] cpu = new long[threads];
        final long[] bytes = new long[threads];
        final long[] wall = new long[threads];
        final long[] allowed = new long[threads];
        final CyclicBarrier start = new CyclicBarrier(threads);
        final List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            final int me = t;
            final Thread worker = new Thread(() -> {
                try {
                    start.await();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
                final long id = Thread.currentThread().getId();
                final long cpu0 = THREADS.getCurrentThreadCpuTime();
                final long bytes0 = THREADS.getThreadAllocatedBytes(id);
                final long wall0 = System.nanoTime();
                long ok = 0;
                int next = me * (keys.length / threads);
                for (int i = 0; i < checks; i++) {
                    final ApiKeyRateLimiter.Verdict verdict = limiter.tryAcquire(keys[next]);
                    if (verdict == null || verdict.allowed()) {
                        ok++;
                    }
                    next = next + 1 == keys.length ? 0 : next + 1;
                }
                wall[me] = System.nanoTime() - wall0;
                bytes[me] = THREADS.getThreadAllocatedBytes(id) - bytes0;
                cpu[me] = THREADS.getCurrentThreadCpuTime() - cpu0;
                allowed[me] = ok;
            }, "check-" + t);
            workers.add(worker);
            worker.start();
        }
        for (Thread worker : workers) {
            worker.join();
        }
        final long total = (long) threads * checks;
        if (Arrays.stream(allowed).sum() != total) {
            throw new IllegalStateException("some checks were refused: " + Arrays.toString(allowed));
        }
        return new double[] {
                (double) Arrays.stream(cpu).sum() / total,
                (double) Arrays.stream(bytes).sum() / total,
                (double) Arrays.stream(wall).max().orElseThrow() / checks};
    }

    private static ApiKey key(long id, RateLimit limit) {
        final Instant created = Instant.parse("2026-01-01T00:00:00Z");
        return new ApiKey(id, "bench-" + id, "abcd1234", "hash-" + id, Set.of("users:read"), true, created, null, null,
                null, created, null, new KeyPolicy(AllowedAddresses.ANYWHERE, limit));
    }
}
