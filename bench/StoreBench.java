import io.authservice.audit.AuditEvent;
import io.authservice.audit.AuditEventTypes;
import io.authservice.audit.AuditMinuteCounts;
import io.authservice.audit.AuditStore;
import io.authservice.audit.Migrations;
import io.authservice.audit.SqlObjects;
import io.authservice.audit.seal.SealKey;
import io.authservice.audit.seal.SealedStores;
import io.authservice.audittransport.AuditJournal;
import io.authservice.audittransport.JournalPayload;
import io.authservice.audittransport.StoreDestination;
import org.jdbi.v3.core.Jdbi;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The direct sink's shipper side alone (issue 9): CPU time per event that the shipper thread spends
 * storing journaled whoami events into the embedded H2 store (config.yml's URL settings), through the
 * service's own {@link StoreDestination} (payload decoded, rows inserted, the batch's steps, the commit),
 * with the steps the service runs: none, the per-minute counts, the counts and the seal. The figure is
 * the storing thread's own CPU time ({@link ThreadMXBean#getCurrentThreadCpuTime}), which other
 * processes on a loaded machine disturb far less than wall time. Prints one
 * {@code result <steps> <batch size> <cpu µs per event> <wall µs per event>} line per round.
 *
 * <p>Usage: {@code java -cp service/target/auth-service.jar bench/StoreBench.java <scratch dir> <rounds> <events per round> <batch size>...}
 */
public final class StoreBench {
    public static void main(String[] args) throws Exception {
        final Path scratch = Path.of(args[0]);
        final int rounds = Integer.parseInt(args[1]);
        final int events = Integer.parseInt(args[2]);
        final int[] batchSizes = Arrays.stream(args, 3, args.length).mapToInt(Integer::parseInt).toArray();
        final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        final Clock clock = Clock.systemUTC();
        final SealKey key = SealKey.generate();
        int database = 0;
        for (int round = 0; round <= rounds; round++) {  // round 0 warms the JIT up and is not printed
            for (String steps : List.of("none", "counts", "counts+seal")) {
                for (int batchSize : batchSizes) {
                    final Path dir = Files.createDirectories(scratch.resolve("db" + database++));
                    final Jdbi jdbi = SqlObjects.prepare(Jdbi.create("jdbc:h2:file:" + dir.resolve("auth")
                            + ";MODE=PostgreSQL;WRITE_DELAY=0", "auth", ""));
                    Migrations.apply(jdbi, AuditStore.CHANGELOG);
                    final List<AuditStore.BatchStep> before = steps.equals("none") ? List.of() : List.of(new AuditMinuteCounts());
                    final AuditStore store = new SealedStores(jdbi, steps.endsWith("seal") ? key : null, clock, before)
                            .forChain(SealedStores.directChain("bench"));
                    final StoreDestination destination = new StoreDestination(store, "bench", clock);
                    final List<List<AuditJournal.Entry>> batches = batches(events, batchSize);
                    final long cpu0 = threads.getCurrentThreadCpuTime();
                    final long wall0 = System.nanoTime();
                    for (List<AuditJournal.Entry> batch : batches) {
                        destination.ship(batch);
                    }
                    final double cpu = (threads.getCurrentThreadCpuTime() - cpu0) / 1000.0 / events;
                    final double wall = (System.nanoTime() - wall0) / 1000.0 / events;
                    final long stored = jdbi.withHandle(h -> h.createQuery("SELECT COUNT(*) FROM audit_events").mapTo(Long.class).one());
                    if (stored != events) {
                        throw new IllegalStateException("stored " + stored + " of " + events);
                    }
                    try {
                        jdbi.useHandle(h -> h.execute("SHUTDOWN"));
                    } catch (RuntimeException closed) {
                        // H2 closes the connection under the statement that shuts it down
                    }
                    if (round > 0) {
                        System.out.printf("result %s %d %.2f %.2f%n", steps, batchSize, cpu, wall);
                    }
                }
            }
        }
    }

    /** Journal entries of whoami's key-use events, as the request threads append them, cut into batches. */
    private static List<List<AuditJournal.Entry>> batches(int events, int batchSize) {
        final List<List<AuditJournal.Entry>> batches = new ArrayList<>();
        List<AuditJournal.Entry> batch = new ArrayList<>();
        final Instant start = Instant.now();
        for (int i = 0; i < events; i++) {
            final AuditEvent event = AuditEvent.builder(AuditEventTypes.API_KEY_USED, AuditEvent.SUCCESS, start.plusMillis(i / 10))
                    .key(1L, "bench", "a1b2c3d4")
                    .request("127.0.0.1", "wrk/4.1.0", "GET", "/api/v1/whoami/")
                    .status(200).requestId("req-" + i).instanceId("bench").build();
            final AuditJournal.Position at = new AuditJournal.Position(1, i * 400L);
            batch.add(new AuditJournal.Entry(at, new AuditJournal.Position(1, (i + 1) * 400L), System.currentTimeMillis(),
                    JournalPayload.of(event)));
            if (batch.size() == batchSize) {
                batches.add(batch);
                batch = new ArrayList<>();
            }
        }
        if (!batch.isEmpty()) {
            batches.add(batch);
        }
        return batches;
    }
}
