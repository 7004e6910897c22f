package io.authservice.auditing;

import com.codahale.metrics.Gauge;
import com.codahale.metrics.MetricRegistry;
import io.authservice.audit.AuditEvent;
import io.authservice.audit.AuditEventTypes;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class DirectAuditSinkTest {
    private final MetricRegistry metrics = new MetricRegistry();
    private final List<List<AuditEvent>> batches = new CopyOnWriteArrayList<>();

    private static List<AuditEvent> events(int n) {
        return IntStream.range(0, n).mapToObj(i -> AuditEvent.builder(AuditEventTypes.API_KEY_USED, AuditEvent.SUCCESS,
                Instant.EPOCH.plusMillis(i)).build()).toList();
    }

    private List<AuditEvent> written() {
        return batches.stream().flatMap(List::stream).toList();
    }

    @Test
    void everyEventIsWrittenInBoundedBatchesAndStoppingDrainsTheQueue() throws Exception {
        final DirectAuditSink sink = new DirectAuditSink(batches::add, 10_000, 50, Duration.ofSeconds(10), metrics);
        sink.start();
        final List<AuditEvent> events = events(2_000);
        events.parallelStream().forEach(sink::record);
        sink.stop();

        assertThat(written()).containsExactlyInAnyOrderElementsOf(events);
        assertThat(batches).allSatisfy(batch -> assertThat(batch).hasSizeBetween(1, 50));
        assertThat(metrics.counter("audit.written").getCount()).isEqualTo(2_000);
        assertThat(metrics.counter("audit.dropped").getCount()).isZero();
        assertThat(metrics.timer("audit.batches").getCount()).isEqualTo(batches.size());
    }

    @Test
    void whileTheStoreFailsTheWriterRetriesAndDropsNothing() throws Exception {
        final AtomicInteger calls = new AtomicInteger();
        final DirectAuditSink sink = new DirectAuditSink(batch -> {
            if (calls.incrementAndGet() <= 2) {
                throw new IllegalStateException("database down");
            }
            batches.add(batch);
        }, 1_000, 100, Duration.ofSeconds(10), metrics);
        sink.start();
        final List<AuditEvent> events = events(20);
        events.forEach(sink::record);
        await().atMost(Duration.ofSeconds(10)).until(() -> written().size() == 20);
        sink.stop();

        assertThat(written()).containsExactlyInAnyOrderElementsOf(events);
        assertThat(sink.dropped()).isZero();
    }

    @Test
    void aFullQueueDropsAndCountsEachEvent() throws Exception {
        final DirectAuditSink sink = new DirectAuditSink(batches::add, 2, 100, Duration.ofSeconds(10), metrics);
        events(5).forEach(sink::record);  // not started: nothing drains the queue

        assertThat(sink.dropped()).isEqualTo(3);
        assertThat(((Gauge<?>) metrics.getGauges().get("audit.queue-depth")).getValue()).isEqualTo(2);
        sink.start();
        sink.stop();
        assertThat(written()).hasSize(2);
        assertThat(sink.queueDepth()).isZero();
    }

    @Test
    void anEventTheStoreRefusesIsDroppedAloneAndTheRestAreWritten() throws Exception {
        final List<AuditEvent> events = events(10);
        final AuditEvent poison = events.get(4);
        final DirectAuditSink sink = new DirectAuditSink(batch -> {
            if (batch.contains(poison)) {
                throw new IllegalStateException("value too long");
            }
            batches.add(batch);
        }, 1_000, 100, Duration.ofSeconds(10), metrics);
        events.forEach(sink::record);
        sink.start();
        await().atMost(Duration.ofSeconds(10)).until(() -> written().size() == 9);
        sink.stop();

        assertThat(written()).doesNotContain(poison).hasSize(9);
        assertThat(sink.dropped()).isEqualTo(1);
    }
}
