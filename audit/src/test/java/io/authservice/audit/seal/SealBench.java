package io.authservice.audit.seal;

import io.authservice.audit.AuditEvent;
import io.authservice.audit.AuditEventDAO;
import io.authservice.audit.AuditEventMapper;
import io.authservice.audit.AuditEventTypes;
import io.authservice.audit.AuditMinuteCounts;
import io.authservice.audit.AuditReasons;
import io.authservice.audit.AuditStore;
import io.authservice.audit.AuditWireFormat;
import io.authservice.audit.Migrations;
import io.authservice.audit.SqlObjects;
import io.authservice.audit.testing.TestPostgres;
import org.jdbi.v3.core.ConnectionFactory;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.result.ResultIterator;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * The cost of the sealed trail (issue 12), run by {@code bench/seal.sh}: events/s of storing batches
 * through {@link AuditStore} with no steps, with the minute counts, and with the minute counts and
 * {@link BatchSealer}; then the seconds {@link TrailVerifier#verify} takes over a sealed store, and
 * {@link TrailVerifier#verifyExport} over its NDJSON export. Prints {@code result <name> <value>}
 * lines; the script takes the medians.
 *
 * <p>Usage: {@code SealBench <scratch dir> <h2|postgres> <batches> <batch size> <verify events> [run] [rounds]}; the
 * run number rotates the order of the three variants, so that none always runs first; {@code rounds}
 * pairs of rounds (of a tenth of {@code batches} each) measure the sealing overhead as CPU time
 * ({@link #overhead}).
 */
public final class SealBench {
    private static final SealKey KEY = SealKey.generate();
    private static final SealKeyRing RING = SealKeyRing.of(List.of(KEY.publicKey()));
    private static final Instant START = Instant.parse("2026-12-01T10:00:00Z");

    private SealBench() {
    }

    public static void main(String[] args) throws Exception {
        final Path scratch = Path.of(args[0]);
        final String database = args[1];
        final int batches = Integer.parseInt(args[2]);
        final int size = Integer.parseInt(args[3]);
        final int verifyEvents = Integer.parseInt(args[4]);
        final int run = args.length > 5 ? Integer.parseInt(args[5]) : 0;
        final int rounds = args.length > 6 ? Integer.parseInt(args[6]) : 0;
        Files.createDirectories(scratch);
        final Function<String, Jdbi> fresh = name -> migrated(database.equals("h2")
                ? jdbi("jdbc:h2:file:" + scratch.resolve(name).resolve("auth") + ";MODE=PostgreSQL;WRITE_DELAY=0")
                : jdbi(TestPostgres.newDatabase()));

        // warm-up: the JIT, the driver, the migrations' classes
        store(fresh.apply("warmup"), List.of(new AuditMinuteCounts(), sealer()), Math.max(1, batches / 10), size);

        // the three variants side by side, in an order that rotates with the run
        final String[] names = {"plain", "counts", "sealed"};
        for (int turn = 0; turn < names.length; turn++) {
            final String name = names[(turn + run) % names.length];
            final List<AuditStore.BatchStep> steps = switch (name) {
                case "plain" -> List.of();
                case "counts" -> List.of(new AuditMinuteCounts());
                default -> List.of(new AuditMinuteCounts(), sealer());
            };
            final double seconds = store(fresh.apply("store-" + name), steps, batches, size);
            result("store-" + name + "-events-per-s", batches * (double) size / seconds);
        }

        if (rounds > 0) {
            overhead(fresh.apply("overhead"), database.equals("postgres"), rounds, Math.max(1, batches / 10), size);
        }

        if (verifyEvents > 0) {
            final Jdbi jdbi = fresh.apply("verify");
            store(jdbi, List.of(new AuditMinuteCounts(), sealer()), verifyEvents / size, size);
            final TrailVerifier verifier = new TrailVerifier(jdbi, RING);
            long t0 = System.nanoTime();
            final TrailVerification stored = verifier.verify(null, null);
            result("verify-store-s", (System.nanoTime() - t0) / 1e9);
            check(stored, verifyEvents);

            final Path file = scratch.resolve("export.ndjson");
            export(jdbi, file);
            t0 = System.nanoTime();
            final ExportedTrail trail = ExportedTrail.read(file);
            final long read = System.nanoTime();
            final TrailVerification exported = TrailVerifier.verifyExport(trail, RING);
            final long done = System.nanoTime();
            result("verify-export-read-s", (read - t0) / 1e9);
            result("verify-export-check-s", (done - read) / 1e9);
            result("verify-export-s", (done - t0) / 1e9);
            check(exported, verifyEvents);
            Files.delete(file);
        }
    }

    /**
     * The sealing overhead as CPU time, which the load of other processes on the machine does not
     * inflate as it inflates wall time: {@code rounds} pairs of rounds of {@code batches} batches into
     * one database, the minute counts alone and the minute counts with the sealer, in the order
     * ABBA, BAAB, ... (so that neither always runs on the larger table or first after the other).
     * A round's CPU is this thread's (the JDBC driver, and on H2 the whole database, which runs in
     * it) plus, on PostgreSQL, the CPU of the connection's server process ({@code /proc/<pid>/stat}).
     * Prints the median over the pairs of (sealed / counts - 1) for CPU and for wall time, the CPU
     * per event of each variant, and the sealer step's own CPU (this thread, inside the step) as a
     * share of a counts round's CPU.
     */
    private static void overhead(Jdbi jdbi, boolean postgres, int rounds, int batches, int size) throws IOException {
        final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        final long backend = postgres ? jdbi.withHandle(h -> h.createQuery("SELECT pg_backend_pid()").mapTo(Long.class).one()) : -1;
        final long[] sealerNanos = {0};
        final BatchSealer sealer = sealer();
        final AuditStore.BatchStep timedSealer = (handle, inserted) -> {
            final long t0 = threads.getCurrentThreadCpuTime();
            sealer.stored(handle, inserted);
            sealerNanos[0] += threads.getCurrentThreadCpuTime() - t0;
        };
        final AuditStore counts = new AuditStore(jdbi, List.of(new AuditMinuteCounts()));
        final AuditStore sealed = new AuditStore(jdbi, List.of(new AuditMinuteCounts(), timedSealer));
        // warm-up of both paths on this database
        round(counts, threads, backend, batches, size);
        round(sealed, threads, backend, batches, size);
        final List<Double> cpuOver = new ArrayList<>();
        final List<Double> wallOver = new ArrayList<>();
        final List<Double> cpuCounts = new ArrayList<>();
        final List<Double> cpuSealed = new ArrayList<>();
        final List<Double> sealerShare = new ArrayList<>();
        for (int pair = 0; pair < rounds; pair++) {
            final boolean sealedFirst = pair % 4 == 1 || pair % 4 == 2;
            final long before = sealerNanos[0];
            final double[] a;
            final double[] b;
            if (sealedFirst) {
                b = round(sealed, threads, backend, batches, size);
                a = round(counts, threads, backend, batches, size);
            } else {
                a = round(counts, threads, backend, batches, size);
                b = round(sealed, threads, backend, batches, size);
            }
            final double events = batches * (double) size;
            cpuOver.add(100 * (b[0] / a[0] - 1));
            wallOver.add(100 * (b[1] / a[1] - 1));
            cpuCounts.add(a[0] / events / 1000);
            cpuSealed.add(b[0] / events / 1000);
            sealerShare.add(100 * (sealerNanos[0] - before) / a[0]);
        }
        result("overhead-cpu-pct", median(cpuOver));
        result("overhead-wall-pct", median(wallOver));
        result("overhead-cpu-us-per-event-counts", median(cpuCounts));
        result("overhead-cpu-us-per-event-sealed", median(cpuSealed));
        result("overhead-sealer-step-cpu-pct", median(sealerShare));
        System.err.printf("overhead rounds: cpu %% %s%nwall %% %s%n", cpuOver, wallOver);
    }

    /** One round: {CPU ns, wall ns}. */
    private static double[] round(AuditStore store, ThreadMXBean threads, long backend, int batches, int size) throws IOException {
        final List<List<AuditEvent>> all = new ArrayList<>(batches);
        for (int b = 0; b < batches; b++) {
            all.add(batch(size));
        }
        final long cpu0 = threads.getCurrentThreadCpuTime();
        final long server0 = serverCpuNanos(backend);
        final long wall0 = System.nanoTime();
        for (List<AuditEvent> events : all) {
            store.insertAll(events);
        }
        final long wall = System.nanoTime() - wall0;
        final long cpu = threads.getCurrentThreadCpuTime() - cpu0 + serverCpuNanos(backend) - server0;
        return new double[]{cpu, wall};
    }

    /** utime + stime of a process (0 for none), in ns; /proc counts in clock ticks of 10 ms. */
    private static long serverCpuNanos(long pid) throws IOException {
        if (pid < 0) {
            return 0;
        }
        final String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
        final String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) * 10_000_000L;
    }

    private static double median(List<Double> values) {
        final List<Double> sorted = new ArrayList<>(values);
        sorted.sort(Double::compare);
        final int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    private static BatchSealer sealer() {
        return new BatchSealer("bench", KEY, Clock.systemUTC());
    }

    private static long next;

    /** A batch of api_key.used events as the wire carries them: a key, a request, one in ten refused. */
    private static List<AuditEvent> batch(int size) {
        final List<AuditEvent> events = new ArrayList<>(size);
        for (int i = 0; i < size; i++) {
            final long n = next++;
            final boolean refused = n % 10 == 0;
            final AuditEvent event = AuditEvent.builder(AuditEventTypes.API_KEY_USED,
                            refused ? AuditEvent.FAILURE : AuditEvent.SUCCESS, START.plusMillis(n).plusNanos(1000 * (n % 997)))
                    .reason(refused ? AuditReasons.INACTIVE : null)
                    .key(n % 50 + 1, "tts-worker-" + (n % 50 + 1), "3f9a" + Long.toHexString(n % 50 + 0x1000))
                    .request("10.20." + (n % 7) + "." + (n % 200 + 1), "python-requests/2.31.0", "GET", "/api/v1/tickets/" + n + "/")
                    .status(refused ? 401 : 200).build();
            events.add(AuditWireFormat.decode(AuditWireFormat.encode(event)));
        }
        return events;
    }

    /** Stores the batches (made beforehand, so only the store is timed); returns the seconds. */
    private static double store(Jdbi jdbi, List<AuditStore.BatchStep> steps, int batches, int size) {
        final List<List<AuditEvent>> all = new ArrayList<>(batches);
        for (int b = 0; b < batches; b++) {
            all.add(batch(size));
        }
        final AuditStore store = new AuditStore(jdbi, steps);
        final long t0 = System.nanoTime();
        for (List<AuditEvent> events : all) {
            store.insertAll(events);
        }
        return (System.nanoTime() - t0) / 1e9;
    }

    /** The export as the service writes it with include=seals: the events, then the seals, then the range. */
    private static void export(Jdbi jdbi, Path file) throws Exception {
        final ExportedTrail.Proof proof = ExportedTrail.proof(jdbi, null, null);
        try (BufferedWriter out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            jdbi.useHandle(h -> {
                h.getConnection().setAutoCommit(false);
                try (ResultIterator<AuditEvent> events = h.createQuery("SELECT * FROM audit_events ORDER BY occurred_at, id")
                        .setFetchSize(1000).map(new AuditEventMapper()).iterator()) {
                    while (events.hasNext()) {
                        out.write(AuditWireFormat.encodeToString(events.next()));
                        out.write('\n');
                    }
                }
                h.getConnection().setAutoCommit(true);
            });
            for (Seal seal : proof.seals()) {
                out.write(ExportedTrail.line(seal));
                out.write('\n');
            }
            for (SealPurge purge : proof.purges()) {
                out.write(ExportedTrail.line(purge));
                out.write('\n');
            }
            out.write(ExportedTrail.rangeLine(null, null));
            out.write('\n');
        }
    }

    private static void check(TrailVerification result, int events) {
        if (!result.ok() || result.events() != events) {
            throw new IllegalStateException("the benchmark's trail does not verify: " + result.events() + " events, "
                    + result.findings().stream().limit(5).toList());
        }
    }

    private static void result(String name, double value) {
        System.out.printf("result %s %.3f%n", name, value);
    }

    /** One connection kept open, as a pool would keep it: the timing is the store's, not connecting's. */
    private static Jdbi jdbi(String url) {
        final boolean h2 = url.startsWith("jdbc:h2:");
        final Connection connection;
        try {
            connection = DriverManager.getConnection(url, h2 ? "auth" : TestPostgres.USER, h2 ? "" : TestPostgres.PASSWORD);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot connect to " + url, e);
        }
        return SqlObjects.prepare(Jdbi.create(new ConnectionFactory() {
            @Override
            public Connection openConnection() {
                return connection;
            }

            @Override
            public void closeConnection(Connection toClose) {
                // kept for the next transaction
            }
        }), AuditEventDAO.class);
    }

    private static Jdbi migrated(Jdbi jdbi) {
        Migrations.apply(jdbi, AuditStore.CHANGELOG);
        return jdbi;
    }

}
