package io.authservice.auditing;

import com.codahale.metrics.MetricRegistry;
import io.authservice.audit.AuditEvent;
import io.authservice.audit.AuditEventTypes;
import io.authservice.audit.AuditStore;
import io.authservice.audit.AuditWireFormat;
import io.authservice.audit.testing.TestKafka;
import io.authservice.config.KafkaSinkConfig;
import io.authservice.db.Databases;
import io.authservice.testing.TestDatabases;
import io.dropwizard.jackson.Jackson;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The Kafka sink alone against a real broker in the test JVM: one key's events keep their order in
 * the partition through an outage and replay; a graceful stop while Kafka is down spools everything
 * and the next start replays it; a spool left by a crash (torn last record included) is replayed.
 */
class KafkaAuditSinkIntegrationTest {
    private static final TestKafka KAFKA = TestKafka.start();
    private static final long KEY_ID = 7;

    @TempDir
    Path dir;
    private final List<KafkaAuditSink> started = new ArrayList<>();
    private boolean brokerDown;
    private int next;

    @AfterAll
    static void stopKafka() {
        KAFKA.close();
    }

    @AfterEach
    void cleanUp() throws Exception {
        if (brokerDown) {
            KAFKA.startBroker();
        }
        for (KafkaAuditSink sink : started) {
            sink.stop();
        }
    }

    @Test
    void oneKeysEventsArriveInOrderAcrossAnOutageNoneMissingNoneDoubledInTheStore() throws Exception {
        final String topic = newTopic();
        final MetricRegistry registry = new MetricRegistry();
        final KafkaAuditSink sink = start(topic, dir, 8, registry);
        final List<AuditEvent> recorded = new ArrayList<>();
        recordSome(sink, recorded, 20);
        await().atMost(Duration.ofSeconds(30)).until(() -> sink.spooled() + published(registry) >= 20);

        stopBroker();
        // keep recording while the first failures are still on their way: those records are in flight
        // when newer ones are already spooled
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(20)).until(() -> {
            recordSome(sink, recorded, 1);
            return !sink.kafkaUp();
        });
        recordSome(sink, recorded, 20);
        final int beforeRestart = recorded.size();
        assertThat(beforeRestart).isGreaterThan(40);
        await().atMost(Duration.ofSeconds(30)).until(() -> sink.spooled() + published(registry) >= beforeRestart);

        startBroker();
        recordSome(sink, recorded, 20);
        final List<ConsumerRecord<String, byte[]>> arrived = readTopic(topic, recorded);

        assertThat(firstArrivals(arrived)).as("one key's events in the order they occurred")
                .containsExactlyElementsOf(recorded.stream().map(AuditEvent::id).toList());
        assertThat(arrived).extracting(ConsumerRecord::partition).containsOnly(arrived.get(0).partition());
        assertThat(sink.dropped()).isZero();
        assertThat(sink.spooled()).isPositive();

        final TestDatabases.Db db = TestDatabases.newPostgres();
        final Jdbi store = Databases.configure(Jdbi.create(db.url(), db.user(), db.password()));
        Databases.migrate(store);
        new AuditStore(store).insertAll(arrived.stream().map(r -> AuditWireFormat.decode(r.value())).toList());
        final List<UUID> stored = store.withHandle(h -> h.createQuery("SELECT id FROM audit_events ORDER BY occurred_at")
                .mapTo(UUID.class).list());
        assertThat(stored).as("each event once, none missing").containsExactlyElementsOf(
                recorded.stream().map(AuditEvent::id).toList());
    }

    @Test
    void aGracefulStopWhileKafkaIsDownSpoolsEverythingAndTheNextStartReplaysIt() throws Exception {
        final String topic = newTopic();
        final MetricRegistry first = new MetricRegistry();
        final KafkaAuditSink sink = start(topic, dir, 10_000, first);
        final List<AuditEvent> recorded = new ArrayList<>();
        recordSome(sink, recorded, 10);
        await().atMost(Duration.ofSeconds(30)).until(() -> published(first) >= 10);

        stopBroker();
        recordSome(sink, recorded, 30);  // sent live into a dead broker (in flight) or still queued at stop
        started.remove(sink);
        sink.stop();
        assertThat(sink.dropped()).isZero();
        assertThat(sink.spooled()).isEqualTo(30);
        assertThat(new AuditSpool(dir, 1 << 20).bytes()).isPositive();

        startBroker();
        final MetricRegistry second = new MetricRegistry();
        final KafkaAuditSink restarted = start(topic, dir, 10_000, second);
        final List<ConsumerRecord<String, byte[]>> arrived = readTopic(topic, recorded);
        assertThat(firstArrivals(arrived)).containsExactlyElementsOf(recorded.stream().map(AuditEvent::id).toList());
        await().atMost(Duration.ofSeconds(10)).until(() -> second.counter("audit.replayed").getCount() == 30);
        assertThat(restarted.dropped()).isZero();
    }

    @Test
    void aSpoolLeftByACrashIsReplayedAtStartTornLastRecordAndAll() throws Exception {
        final String topic = newTopic();
        final List<AuditEvent> crashed = IntStream.range(0, 12).mapToObj(i -> event()).toList();
        final AuditSpool spool = new AuditSpool(dir, 1 << 20);
        spool.append(crashed.subList(0, 5).stream().map(AuditWireFormat::encode).toList());
        final Path firstSegment = spool.seal().get(0);
        spool.replayed(spool.read(firstSegment, 2));  // the crash came in the middle of a replay
        spool.append(crashed.subList(5, 12).stream().map(AuditWireFormat::encode).toList());
        final List<Path> segments = spool.seal();
        assertThat(segments).hasSize(2);
        Files.write(segments.get(1), new byte[]{0, 0, 1, 0, 9, 9}, StandardOpenOption.APPEND);  // torn mid-write
        // the process is gone: no stop(), no close()

        final MetricRegistry registry = new MetricRegistry();
        final KafkaAuditSink sink = start(topic, dir, 100, registry);
        final List<AuditEvent> expected = crashed.subList(2, 12);
        final List<ConsumerRecord<String, byte[]>> arrived = readTopic(topic, expected);
        assertThat(firstArrivals(arrived)).containsExactlyElementsOf(expected.stream().map(AuditEvent::id).toList());
        assertThat(arrived).hasSize(10);
        await().atMost(Duration.ofSeconds(10)).until(() -> registry.counter("audit.replayed").getCount() == 10
                && Long.valueOf(0).equals(registry.getGauges().get("audit.spool-bytes").getValue()));
        try (var files = Files.list(dir)) {
            assertThat(files.filter(p -> p.getFileName().toString().startsWith("spool-"))).isEmpty();
        }
        assertThat(sink.dropped()).isZero();
    }

    private KafkaAuditSink start(String topic, Path spoolDir, int queueCapacity, MetricRegistry registry) throws Exception {
        final KafkaSinkConfig config = Jackson.newObjectMapper().convertValue(Map.of(
                "bootstrapServers", KAFKA.bootstrapServers(),
                "topic", topic,
                "maxBlock", "200ms",
                "requestTimeout", "1s",
                "deliveryTimeout", "2s",
                "retryInterval", "200ms"), KafkaSinkConfig.class);
        final KafkaAuditSink sink = new KafkaAuditSink(config,
                new KafkaProducer<>(KafkaAuditSink.producerProperties(config, "sink-test-" + topic)),
                new AuditSpool(spoolDir, 1 << 24), queueCapacity, Duration.ofSeconds(1), Clock.systemUTC(), registry);
        sink.start();
        started.add(sink);
        return sink;
    }

    private String newTopic() {
        final String topic = "sink-order-" + UUID.randomUUID().toString().substring(0, 8);
        KAFKA.createTopic(topic, 3);
        return topic;
    }

    private void stopBroker() {
        KAFKA.stop();
        brokerDown = true;
    }

    private void startBroker() {
        KAFKA.startBroker();
        brokerDown = false;
    }

    private long published(MetricRegistry registry) {
        return registry.counter("audit.published").getCount();
    }

    private AuditEvent event() {
        return AuditEvent.builder(AuditEventTypes.API_KEY_USED, AuditEvent.SUCCESS, Instant.parse("2026-11-25T10:00:00Z")
                .plusMillis(next++)).key(KEY_ID, "ordered", "abcd1234").build();
    }

    private void recordSome(KafkaAuditSink sink, List<AuditEvent> recorded, int n) {
        for (int i = 0; i < n; i++) {
            final AuditEvent event = event();
            recorded.add(event);
            sink.record(event);
        }
    }

    /** Every record of the topic, partition by partition in offset order, once all the expected events are there. */
    private static List<ConsumerRecord<String, byte[]>> readTopic(String topic, List<AuditEvent> expected) {
        final Set<UUID> missing = new LinkedHashSet<>(expected.stream().map(AuditEvent::id).toList());
        final List<ConsumerRecord<String, byte[]>> records = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(Map.of("bootstrap.servers", KAFKA.bootstrapServers()),
                new StringDeserializer(), new ByteArrayDeserializer())) {
            final List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            await().atMost(Duration.ofSeconds(40)).until(() -> {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    records.add(record);
                    missing.remove(AuditWireFormat.decode(record.value()).id());
                }
                return missing.isEmpty();
            });
            consumer.poll(Duration.ofMillis(300)).forEach(records::add);  // any duplicate still on its way
        }
        return records;
    }

    /** The ids in the order of their first arrival (a resend after an ambiguous failure may follow later). */
    private static List<UUID> firstArrivals(List<ConsumerRecord<String, byte[]>> records) {
        final Set<UUID> ids = new LinkedHashSet<>();
        records.forEach(r -> ids.add(AuditWireFormat.decode(r.value()).id()));
        return List.copyOf(ids);
    }
}
