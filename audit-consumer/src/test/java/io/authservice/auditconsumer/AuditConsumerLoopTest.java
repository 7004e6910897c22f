package io.authservice.auditconsumer;

import com.codahale.metrics.MetricRegistry;
import io.authservice.audit.AuditEvent;
import io.authservice.audit.AuditStore;
import io.authservice.audit.AuditWireFormat;
import io.authservice.audit.Migrations;
import io.authservice.auditconsumer.testing.TestConfigs;
import io.authservice.audit.testing.TestKafka;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.sqlobject.SqlObjectPlugin;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** One consumer killed between storing a batch and committing its offsets, then restarted. */
class AuditConsumerLoopTest {
    private static final TestKafka KAFKA = TestKafka.start();

    @AfterAll
    static void stopKafka() {
        KAFKA.close();
    }

    /** The crash: whatever the loop was doing stops here, with no offset commit. */
    private static final class Crash extends RuntimeException {
    }

    @Test
    void aConsumerKilledMidBatchLosesAndDoublesNothingWhenRestarted() throws Exception {
        final String topic = "crash-" + UUID.randomUUID();
        final Path dir = TestConfigs.tempDir();
        final Jdbi jdbi = Jdbi.create(TestConfigs.h2Url(dir), "auth", "").installPlugin(new SqlObjectPlugin());
        Migrations.apply(jdbi, AuditStore.CHANGELOG);
        KAFKA.createTopic(topic, 1);
        final List<AuditEvent> events = AuditConsumerApplicationTest.events(100, 9);
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
        final AuditConsumerLoop first = loop(topic, jdbi, metrics, batch -> {
            if (batch == 3) {
                throw new Crash();
            }
        });
        final Thread thread = new Thread(first);
        thread.setUncaughtExceptionHandler((t, e) -> died.set(e));
        thread.start();
        thread.join(60_000);
        assertThat(died.get()).isInstanceOf(Crash.class);
        assertThat(count(jdbi)).isEqualTo(30);  // three batches of 10 stored, two committed

        // second life: reads the third batch again (the store ignores it) and the rest
        final MetricRegistry secondMetrics = new MetricRegistry();
        final AuditConsumerLoop second = loop(topic, jdbi, secondMetrics, batch -> { });
        final Thread again = new Thread(second);
        again.start();
        // it reads from the last commit: the 10 of the batch that died stored, and the 70 after it
        await().atMost(Duration.ofSeconds(60)).until(() -> secondMetrics.meter("audit-consumer.records").getCount() == 80);
        assertThat(metrics.meter("audit-consumer.records").getCount()).isEqualTo(20);
        assertThat(count(jdbi)).isEqualTo(100);
        second.stop();
        again.join(20_000);
        assertThat(again.isAlive()).isFalse();

        final long distinct = jdbi.withHandle(h -> h.createQuery("SELECT COUNT(DISTINCT id) FROM audit_events")
                .mapTo(Long.class).one());
        assertThat(distinct).isEqualTo(100);
        final List<UUID> ids = jdbi.withHandle(h -> h.createQuery("SELECT id FROM audit_events").mapTo(UUID.class).list());
        assertThat(ids).containsExactlyInAnyOrderElementsOf(events.stream().map(AuditEvent::id).toList());
        assertThat(config.getGroupId()).isEqualTo("auth-audit-consumer");
    }

    private static long count(Jdbi jdbi) {
        return jdbi.withHandle(h -> h.createQuery("SELECT COUNT(*) FROM audit_events").mapTo(Long.class).one());
    }

    private static AuditConsumerLoop loop(String topic, Jdbi jdbi, MetricRegistry metrics, AuditConsumerLoop.BatchHook hook) {
        final Map<String, Object> props = new java.util.HashMap<>(AuditConsumers.consumerProperties(new ConsumerKafkaConfig(), "t"));
        props.put("bootstrap.servers", KAFKA.bootstrapServers());
        props.put("group.id", "crash-test");
        props.put("max.poll.records", 10);
        return new AuditConsumerLoop(new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer()),
                new AuditStore(jdbi), topic, Duration.ofMillis(100), Duration.ofSeconds(5), Clock.systemUTC(), hook,
                metrics.meter("audit-consumer.records"), metrics.timer("audit-consumer.batches"),
                metrics.counter("audit-consumer.dead-letters"));
    }
}
