import com.codahale.metrics.MetricRegistry;
import io.authservice.audittransport.AuditJournal;

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
        firstTouch(scratch);
    }

    /**
     * Prints, for {@code threads} threads each appending {@code appends} records at once: the wall ns
     * of one append (median, 99th percentile, mean; each timed alone, so with the ~25 ns of the two
     * {@code nanoTime} calls) and the CPU ns per append of the appending threads.
     */
    private static void measure(Path scratch, int threads, Duration sync, int warmup, int appends) throws Exception {
        final Path directory = scratch.resolve("journal-" + threads + "-" + sync.toMillis());
        final AuditJournal journal = AuditJournal.open(new AuditJournal.Settings(directory, SEGMENT_BYTES,
                16 * SEGMENT_BYTES, sync), Clock.systemUTC(), new MetricRegistry());
        final byte[] payload = new byte[PAYLOAD_BYTES];
        Arrays.fill(payload, (byte) 'e');
        final ThreadMXBean cpu = ManagementFactory.getThreadMXBean();
        final long[][] samples = new long[threads][appends];
        final long[] cpuNanos = new long[threads];
        final CyclicBarrier start = new CyclicBarrier(threads);
        final Thread[] workers = new Thread[threads];
        for (int t = 0; t < threads; t++) {
            final int thread = t;
            workers[t] = new Thread(() -> {
                try {
                    append(journal, payload, warmup);
                    start.await();
                    final long[] mine = samples[thread];
                    final long cpuBegan = cpu.getCurrentThreadCpuTime();
                    for (int i = 0; i < appends; i++) {
                        final long began = System.nanoTime();
                        if (!journal.append(payload)) {
                            throw new IllegalStateException("the journal refused an append");
                        }
                        mine[i] = System.nanoTime() - began;
                    }
                    cpuNanos[thread] = cpu.getCurrentThreadCpuTime() - cpuBegan;
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
        final long[] all = Arrays.stream(samples).flatMapToLong(Arrays::stream).sorted().toArray();
        System.out.printf("result append-p50-ns-%s %d%n", name, all[all.length / 2]);
        System.out.printf("result append-p99-ns-%s %d%n", name, all[(int) (all.length * 0.99)]);
        System.out.printf("result append-mean-ns-%s %.1f%n", name, Arrays.stream(all).average().orElseThrow());
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

    /**
     * Prints the CPU ns per record-sized copy (224 bytes) into a fresh file mapping, where each new page
     * faults and the file system allocates it, and into the same pages again: what making the next
     * segment ahead takes off the request threads.
     */
    private static void firstTouch(Path scratch) throws Exception {
        final ThreadMXBean cpu = ManagementFactory.getThreadMXBean();
        final Path file = scratch.resolve("first-touch");
        final java.nio.MappedByteBuffer buffer;
        try (java.nio.channels.FileChannel channel = java.nio.channels.FileChannel.open(file,
                java.nio.file.StandardOpenOption.CREATE_NEW, java.nio.file.StandardOpenOption.READ,
                java.nio.file.StandardOpenOption.WRITE)) {
            buffer = channel.map(java.nio.channels.FileChannel.MapMode.READ_WRITE, 0, SEGMENT_BYTES);
        }
        final byte[] record = new byte[224];
        final int n = (int) (SEGMENT_BYTES / record.length);
        final long[] cost = new long[2];
        for (int pass = 0; pass < 2; pass++) {
            final long began = cpu.getCurrentThreadCpuTime();
            for (int i = 0; i < n; i++) {
                buffer.put(i * record.length, record);
            }
            cost[pass] = cpu.getCurrentThreadCpuTime() - began;
        }
        System.out.printf("result first-touch-copy-cpu-ns %.1f%n", cost[0] / (double) n);
        System.out.printf("result faulted-copy-cpu-ns %.1f%n", cost[1] / (double) n);
        Files.delete(file);
    }

    private static void delete(Path directory) throws Exception {
        try (Stream<Path> files = Files.walk(directory)) {
            for (Path path : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }
    }
}
