package io.authservice.auditconsumer;

import com.codahale.metrics.MetricRegistry;
import io.authservice.audit.AuditEvent;
import io.authservice.audit.AuditStore;
import io.authservice.audit.AuditWireFormat;
import io.authservice.auditconsumer.testing.FixedClockAuditConsumer;
import io.authservice.auditconsumer.testing.TestConfigs;
import io.authservice.audit.testing.TestKafka;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Consumer loops against a real broker and a real store: one killed between storing a batch and
 * committing its offsets, then restarted (on H2 and on PostgreSQL); two in one group sharing the
 * partitions, one stopped mid-batch (on PostgreSQL).
 */
class AuditConsumerLoopTest {
    private static final TestKafka KAFKA = TestKafka.shared();

    /**
     * The crash: whatever the loop was doing stops here, with no offset commit. An Error, which the
     * loop does not survive (it restarts its consumer after an exception), as a killed process would not.
     */
    private static final class Crash extends Error {
    }

    static Stream<Named<Supplier<TestConfigs.Store>>> stores() {
        return Stream.of(Named.of("H2", () -> TestConfigs.Store.h2(TestConfigs.tempDir())),
                Named.of("PostgreSQL", TestConfigs.Store::postgres));
    }

    @ParameterizedTest
    @MethodSource("stores")
    void aConsumerKilledMidBatchLosesAndDoublesNothingWhenRestarted(Supplier<TestConfigs.Store> store) throws Exception {
        final String topic = "crash-" + UUID.randomUUID();
        final Jdbi jdbi = store.get().migrated();
        KAFKA.createTopic(topic, 1);
        final List<AuditEvent> events = AuditConsumerApplicationContract.events(100, 9);
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of("bootstrap.servers", KAFKA.bootstrapServers()),
                new StringSerializer(), new ByteArraySerializer())) {
            for (AuditEvent e : events) {
                producer.send(new ProducerRecord<>(topic, "key:9", AuditWireFormat.encode(e)));
            }
            producer.flush();
        }
        final ConsumerKafkaConfig config = new ConsumerKafkaConfig();
        final MetricRegistry metrics = new MetricRegistry();

        // first life: stores two batches, dies after storing the third before committing its offsets
        final AtomicReference<Throwable> died = new AtomicReference<>();
        final AuditConsumerLoop first = loop(topic, "crash-test", jdbi, metrics, batch -> {
            if (batch == 3) {
                throw new Crash();
            }
        });
        final Thread thread = new Thread(first);
        thread.setUncaughtExceptionHandler((t, e) -> died.set(e));
        thread.start();
        thread.join(60_000);
        assertThat(died.get()).isInstanceOf(Crash.class);
        assertThat(first.status().state()).isEqualTo(AuditConsumerLoop.State.ENDED);
        assertThat(count(jdbi)).isEqualTo(30);  // three batches of 10 stored, two committed

        // second life: reads the third batch again (the store ignores it) and the rest
        final MetricRegistry secondMetrics = new MetricRegistry();
        final AuditConsumerLoop second = loop(topic, "crash-test", jdbi, secondMetrics, batch -> { });
        final Thread again = new Thread(second);
        again.start();
        // it reads from the last commit: the 10 of the batch that died stored, and the 70 after it
        await().atMost(Duration.ofSeconds(60)).until(() -> secondMetrics.meter("audit-consumer.records").getCount() == 80);
        assertThat(metrics.meter("audit-consumer.records").getCount()).isEqualTo(20);
        assertThat(count(jdbi)).isEqualTo(100);
        second.stop();
        again.join(20_000);
        assertThat(again.isAlive()).isFalse();
        assertThat(second.status().state()).isEqualTo(AuditConsumerLoop.State.STOPPED);
        assertThat(secondMetrics.counter("audit-consumer.restarts").getCount()).isZero();

        final long distinct = jdbi.withHandle(h -> h.createQuery("SELECT COUNT(DISTINCT id) FROM audit_events")
                .mapTo(Long.class).one());
        assertThat(distinct).isEqualTo(100);
        final List<UUID> ids = jdbi.withHandle(h -> h.createQuery("SELECT id FROM audit_events").mapTo(UUID.class).list());
        assertThat(ids).containsExactlyInAnyOrderElementsOf(events.stream().map(AuditEvent::id).toList());
        assertThat(config.getGroupId()).isEqualTo("auth-audit-consumer");
    }

    @Test
    void twoConsumersShareThePartitionsAndWhenOneStopsMidBatchTheOtherTakesOverEachEventStoredOnce() throws Exception {
        final String topic = "shared-" + UUID.randomUUID();
        final String group = "shared-" + UUID.randomUUID();
        final Jdbi jdbi = TestConfigs.Store.postgres().migrated();
        KAFKA.createTopic(topic, 4);

        final MetricRegistry metricsA = new MetricRegistry();
        final MetricRegistry metricsB = new MetricRegistry();
        final AtomicReference<AuditConsumerLoop> a = new AtomicReference<>();
        // A stops right after storing its second batch, as it commits it (whether that commit lands or
        // not, B goes on from A's last commit that did, and the store keeps each event once)
        a.set(loop(topic, group, jdbi, metricsA, batch -> {
            if (batch == 2) {
                a.get().stop();
            }
        }));
        final AuditConsumerLoop b = loop(topic, group, jdbi, metricsB, batch -> { });
        final Thread threadA = new Thread(a.get(), "consumer-a");
        final Thread threadB = new Thread(b, "consumer-b");
        threadA.start();
        threadB.start();
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", KAFKA.bootstrapServers()))) {
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                final ConsumerGroupDescription group1 = admin.describeConsumerGroups(List.of(group)).all().get().get(group);
                return group1.members().size() == 2
                        && group1.members().stream().allMatch(m -> m.assignment().topicPartitions().size() == 2);
            });
        }

        final List<AuditEvent> events = new ArrayList<>();
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of("bootstrap.servers", KAFKA.bootstrapServers()),
                new StringSerializer(), new ByteArraySerializer())) {
            for (int key = 0; key < 8; key++) {
                for (AuditEvent e : AuditConsumerApplicationContract.events(50, key)) {
                    events.add(e);
                    producer.send(new ProducerRecord<>(topic, key % 4, "key:" + key, AuditWireFormat.encode(e)));
                }
            }
            producer.flush();
        }

        threadA.join(30_000);
        assertThat(threadA.isAlive()).as("A stopped mid-run").isFalse();
        // before the rebalance B owns two partitions (200 events); A stores at most two batches of 10
        await().atMost(Duration.ofSeconds(40)).until(() -> count(jdbi) == 400
                && metricsB.meter("audit-consumer.records").getCount() >= 380);
        b.stop();
        threadB.join(20_000);
        assertThat(threadB.isAlive()).isFalse();

        assertThat(metricsA.timer("audit-consumer.batches").getCount()).as("A stored two batches").isEqualTo(2);
        final List<UUID> ids = jdbi.withHandle(h -> h.createQuery("SELECT id FROM audit_events").mapTo(UUID.class).list());
        assertThat(ids).as("each event stored exactly once")
                .containsExactlyInAnyOrderElementsOf(events.stream().map(AuditEvent::id).toList());
    }

    private static long count(Jdbi jdbi) {
        return jdbi.withHandle(h -> h.createQuery("SELECT COUNT(*) FROM audit_events").mapTo(Long.class).one());
    }

    private static AuditConsumerLoop loop(String topic, String group, Jdbi jdbi, MetricRegistry metrics,
                                          AuditConsumerLoop.BatchHook hook) {
        final Map<String, Object> props = new java.util.HashMap<>(AuditConsumers.consumerProperties(new ConsumerKafkaConfig(), "t"));
        props.put("bootstrap.servers", KAFKA.bootstrapServers());
        props.put("group.id", group);
        props.put("max.poll.records", 10);
        return new AuditConsumerLoop("test", () -> new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer()),
                new AuditStore(jdbi), new AuditConsumerLoop.Settings(topic, Duration.ofMillis(100), Duration.ofSeconds(5),
                        Duration.ofMillis(100), Duration.ofSeconds(1)), FixedClockAuditConsumer.CLOCK, hook,
                AuditConsumerLoop.Metrics.registeredIn(metrics));
    }
}
