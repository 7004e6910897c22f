import com.codahale.metrics.MetricRegistry;
import io.authservice.auditing.AuditJournal;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.Comparator;
import java.util.concurrent.CyclicBarrier;
import java.util.stream.Stream;

/**
 * The audit journal's cost on the request thread (issue 9): ns per {@code append} of a 200-byte
 * payload on 1 and on 2 threads, with {@code syncInterval} 1 s (a background force) and 0 (every
 * append forced), as wall time and as the appending thread's CPU time (user and system: page faults
 * included; on a busy machine the wall time also holds the time spent waiting for a core), and the
 * cost of one {@code commit} (the cursor written and forced). Run by
 * {@code bench/journal.sh}; prints one {@code result <name> <value>} line per figure.
 *
 * <p>Usage: {@code java -cp service/target/auth-service.jar bench/JournalBench.java <scratch directory>}
 */
public final class JournalBench {
    private static final int PAYLOAD_BYTES = 200;
    private static final long SEGMENT_BYTES = 64L << 20;

    public static void main(String[] args) throws Exception {
        final Path scratch = Path.of(args[0]);
        for (int threads : new int[]{1, 2}) {
            measure(scratch, threads, Duration.ofSeconds(1), 400_000, 1_000_000);
            measure(scratch, threads, Duration.ZERO, 500, 2_000);
        }
        commits(scratch);
    }

    /** Prints the mean ns one thread spends per append, each of {@code threads} appending {@code appends}. */
    private static void measure(Path scratch, int threads, Duration sync, int warmup, int appends) throws Exception {
        final Path directory = scratch.resolve("journal-" + threads + "-" + sync.toMillis());
        final AuditJournal journal = AuditJournal.open(new AuditJournal.Settings(directory, SEGMENT_BYTES,
                16 * SEGMENT_BYTES, sync), Clock.systemUTC(), new MetricRegistry());
        final byte[] payload = new byte[PAYLOAD_BYTES];
        Arrays.fill(payload, (byte) 'e');
        final ThreadMXBean cpu = ManagementFactory.getThreadMXBean();
        final long[] nanos = new long[threads];
        final long[] cpuNanos = new long[threads];
        final CyclicBarrier start = new CyclicBarrier(threads);
        final Thread[] workers = new Thread[threads];
        for (int t = 0; t < threads; t++) {
            final int thread = t;
            workers[t] = new Thread(() -> {
                try {
                    append(journal, payload, warmup);
                    start.await();
                    final long began = System.nanoTime();
                    final long cpuBegan = cpu.getCurrentThreadCpuTime();
                    append(journal, payload, appends);
                    cpuNanos[thread] = cpu.getCurrentThreadCpuTime() - cpuBegan;
                    nanos[thread] = System.nanoTime() - began;
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            workers[t].start();
        }
        for (Thread worker : workers) {
            worker.join();
        }
        journal.close();
        delete(directory);
        final String name = threads + "thread-sync" + (sync.isZero() ? "0" : "1s");
        System.out.printf("result append-ns-%s %.1f%n", name, Arrays.stream(nanos).average().orElseThrow() / appends);
        System.out.printf("result append-cpu-ns-%s %.1f%n", name, Arrays.stream(cpuNanos).average().orElseThrow() / appends);
    }

    private static void append(AuditJournal journal, byte[] payload, int n) {
        for (int i = 0; i < n; i++) {
            if (!journal.append(payload)) {
                throw new IllegalStateException("the journal refused an append");
            }
        }
    }

    /** Prints the mean µs per commit (what the shipper pays per batch shipped). */
    private static void commits(Path scratch) throws Exception {
        final Path directory = scratch.resolve("journal-commits");
        final int n = 500;
        try (AuditJournal journal = AuditJournal.open(new AuditJournal.Settings(directory, SEGMENT_BYTES,
                16 * SEGMENT_BYTES, Duration.ofSeconds(1)), Clock.systemUTC(), new MetricRegistry())) {
            for (int i = 0; i < n + 50; i++) {
                journal.append(("event " + i).getBytes(StandardCharsets.UTF_8));
            }
            final var entries = journal.read(journal.cursor(), n + 50);
            for (int i = 0; i < 50; i++) {
                journal.commit(entries.get(i).next());
            }
            final long began = System.nanoTime();
            for (int i = 50; i < n + 50; i++) {
                journal.commit(entries.get(i).next());
            }
            System.out.printf("result commit-us %.1f%n", (System.nanoTime() - began) / 1e3 / n);
        }
        delete(directory);
    }

    private static void delete(Path directory) throws Exception {
        try (Stream<Path> files = Files.walk(directory)) {
            for (Path path : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }
    }
}
