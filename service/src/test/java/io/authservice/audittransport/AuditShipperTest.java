package io.authservice.audittransport;

import com.codahale.metrics.MetricRegistry;
import io.authservice.audit.Backoff;
import io.authservice.testing.TestClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The shipper on a real journal, with destinations written here that succeed, fail or stall on
 * command: batches in order, each record once, committed only after the destination took it; a
 * failed batch retried whole; a stop that ships what is left, or leaves it for the next start.
 */
class AuditShipperTest {
    private static final Duration SHUTDOWN = Duration.ofSeconds(2);

    @TempDir
    Path dir;
    private final TestClock clock = new TestClock();
    private final List<AuditShipper> running = new ArrayList<>();

    @AfterEach
    void stopAll() throws Exception {
        for (AuditShipper shipper : running) {
            shipper.stop();
        }
    }

    /** Keeps what it is handed; fails while {@link #down} is set. */
    private static final class Recording implements AuditShipper.Destination {
        final List<List<String>> batches = new CopyOnWriteArrayList<>();
        final AtomicBoolean down = new AtomicBoolean();
        final AtomicInteger failures = new AtomicInteger();

        @Override
        public void ship(List<AuditJournal.Entry> batch) {
            if (down.get()) {
                failures.incrementAndGet();
                throw new IllegalStateException("the destination is down");
            }
            batches.add(batch.stream().map(e -> new String(e.payload(), StandardCharsets.UTF_8)).toList());
        }

        List<String> shipped() {
            return batches.stream().flatMap(List::stream).toList();
        }
    }

    private AuditJournal journal(MetricRegistry metrics) {
        return AuditJournal.open(new AuditJournal.Settings(dir, 1 << 20, 64 << 20, Duration.ofSeconds(1)), clock, metrics);
    }

    private AuditShipper start(AuditJournal journal, AuditShipper.Destination destination, int batchSize, MetricRegistry metrics) {
        final AuditShipper shipper = new AuditShipper(journal, destination, batchSize, Duration.ofMillis(5), SHUTDOWN,
                new Backoff(Duration.ofMillis(10), Duration.ofMillis(50)), clock, metrics);
        shipper.start();
        running.add(shipper);
        return shipper;
    }

    private static void append(AuditJournal journal, String prefix, int n) {
        IntStream.range(0, n).forEach(i -> assertThat(journal.append((prefix + i).getBytes(StandardCharsets.UTF_8))).isTrue());
    }

    private static List<String> names(String prefix, int n) {
        return IntStream.range(0, n).mapToObj(i -> prefix + i).toList();
    }

    @Test
    void shipsEveryRecordOnceInOrderInBatchesOfAtMostBatchSize() {
        final MetricRegistry metrics = new MetricRegistry();
        final AuditJournal journal = journal(metrics);
        final Recording destination = new Recording();
        final AuditShipper shipper = start(journal, destination, 7, metrics);

        append(journal, "e", 100);
        await().atMost(Duration.ofSeconds(10)).until(() -> destination.shipped().size() == 100);
        assertThat(destination.shipped()).containsExactlyElementsOf(names("e", 100));
        assertThat(destination.batches).allSatisfy(batch -> assertThat(batch).hasSizeBetween(1, 7));
        assertThat(metrics.meter("audit.shipped").getCount()).isEqualTo(100);
        await().atMost(Duration.ofSeconds(5)).until(() -> shipper.lagMillis() == 0);
        assertThat(metrics.getGauges().get("audit.lag").getValue()).isEqualTo(0L);
    }

    @Test
    void aFailedBatchIsRetriedWholeAndNothingIsCommittedUntilTheDestinationTakesIt() throws Exception {
        final MetricRegistry metrics = new MetricRegistry();
        final AuditJournal journal = journal(metrics);
        final Recording destination = new Recording();
        destination.down.set(true);
        final AuditJournal.Position before = journal.cursor();
        final AuditShipper shipper = start(journal, destination, 500, metrics);

        append(journal, "a", 20);
        await().atMost(Duration.ofSeconds(10)).until(() -> destination.failures.get() >= 3);
        assertThat(journal.cursor()).isEqualTo(before);
        clock.advance(Duration.ofMinutes(1));
        assertThat(shipper.lagMillis()).as("the oldest unshipped event's age").isGreaterThanOrEqualTo(60_000);
        assertThat(metrics.meter("audit.shipped").getCount()).isZero();

        append(journal, "b", 5);
        destination.down.set(false);
        await().atMost(Duration.ofSeconds(10)).until(() -> destination.shipped().size() == 25);
        assertThat(destination.shipped()).containsExactlyElementsOf(
                java.util.stream.Stream.concat(names("a", 20).stream(), names("b", 5).stream()).toList());
        await().atMost(Duration.ofSeconds(5)).until(() -> shipper.lagMillis() == 0);
        assertThat(journal.cursor()).isGreaterThan(before);
        assertThat(destination.batches).as("the same batch retried, then the next").hasSize(2);
    }

    @Test
    void stopShipsWhatTheJournalHoldsAndTheNextStartShipsOnlyWhatCameAfter() throws Exception {
        final MetricRegistry first = new MetricRegistry();
        final AuditJournal journal = journal(first);
        final Recording destination = new Recording();
        final AuditShipper shipper = start(journal, destination, 50, first);
        append(journal, "x", 300);
        running.remove(shipper);
        shipper.stop();
        assertThat(destination.shipped()).containsExactlyElementsOf(names("x", 300));

        final MetricRegistry second = new MetricRegistry();
        final AuditJournal reopened = journal(second);
        final Recording next = new Recording();
        start(reopened, next, 50, second);
        append(reopened, "y", 10);
        await().atMost(Duration.ofSeconds(10)).until(() -> next.shipped().size() >= 10);
        assertThat(next.shipped()).as("resumed from the cursor: nothing shipped twice").containsExactlyElementsOf(names("y", 10));
        assertThat(second.meter("audit.shipped").getCount()).isEqualTo(10);
    }

    @Test
    void stopWhileTheDestinationIsDownEndsWithinTheTimeoutAndLeavesTheEventsForTheNextStart() throws Exception {
        final MetricRegistry first = new MetricRegistry();
        final AuditJournal journal = journal(first);
        final Recording down = new Recording();
        down.down.set(true);
        final AuditShipper shipper = start(journal, down, 50, first);
        append(journal, "z", 40);
        await().atMost(Duration.ofSeconds(10)).until(() -> down.failures.get() >= 1);

        running.remove(shipper);
        final long started = System.nanoTime();
        shipper.stop();
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(SHUTDOWN.multipliedBy(2));
        assertThat(down.shipped()).isEmpty();

        final MetricRegistry second = new MetricRegistry();
        final Recording up = new Recording();
        start(journal(second), up, 50, second);
        await().atMost(Duration.ofSeconds(10)).until(() -> up.shipped().size() == 40);
        assertThat(up.shipped()).containsExactlyElementsOf(names("z", 40));
    }
}
