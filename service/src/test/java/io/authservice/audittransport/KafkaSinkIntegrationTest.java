package io.authservice.audittransport;

import com.codahale.metrics.Counter;
import com.codahale.metrics.Gauge;
import com.fasterxml.jackson.databind.JsonNode;
import io.authservice.AuthServiceConfiguration;
import io.authservice.audit.AuditEvent;
import io.authservice.audit.AuditEventTypes;
import io.authservice.audit.AuditStore;
import io.authservice.audit.AuditWireFormat;
import io.authservice.audit.testing.TestKafka;
import io.authservice.db.Databases;
import io.authservice.testing.AdminClient;
import io.authservice.testing.Http;
import io.authservice.testing.TestApps;
import io.authservice.testing.TestAuthServiceApplication;
import io.authservice.testing.TestDatabases;
import io.dropwizard.testing.junit5.DropwizardAppExtension;
import io.dropwizard.testing.junit5.DropwizardExtensionsSupport;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The {@code kafka} sink against a real broker in the test JVM: while the broker is down every
 * request is still answered, the journal grows and the health check fails; once it is back every
 * event arrives, in v2 records keyed by the key id, one key's events in the order they occurred,
 * and stored as the audit-consumer stores them, each once.
 */
@ExtendWith(DropwizardExtensionsSupport.class)
class KafkaSinkIntegrationTest {
    private static final String TOPIC = "audit-events-test";
    private static final TestKafka KAFKA = TestKafka.start().createTopic(TOPIC, 3);
    private static final Path DIR = TestApps.tempDir();
    private static final DropwizardAppExtension<AuthServiceConfiguration> APP = new DropwizardAppExtension<>(
            TestAuthServiceApplication.class, TestApps.writeConfig(TestDatabases.newH2(DIR), DIR,
            "audit:",
            "  sink: kafka",
            "  journal:",
            "    directory: \"" + DIR.resolve("journal") + "\"",
            "    segmentSize: 4KiB",
            "    backlogHealthThreshold: 1s",
            "  kafka:",
            "    bootstrapServers: " + KAFKA.bootstrapServers(),
            "    topic: " + TOPIC,
            "    maxBlock: 200ms",
            "    requestTimeout: 1s",
            "    deliveryTimeout: 3s"));

    @AfterAll
    static void stopKafka() {
        KAFKA.close();
    }

    private long shipped() {
        return APP.getEnvironment().metrics().meter("audit.shipped").getCount();
    }

    private long gauge(String name) {
        return ((Number) ((Gauge<?>) APP.getEnvironment().metrics().getGauges().get(name)).getValue()).longValue();
    }

    @Test
    void throughABrokerOutageRequestsAreAnsweredAndEveryEventArrivesInOrderOnceItIsBack() {
        final AdminClient admin = new AdminClient(APP.client(), APP.getAdminPort());
        final Http http = new Http(APP.getLocalPort());
        final Http adminHttp = new Http(APP.getAdminPort());
        final JsonNode created = admin.json("create-api-key", Map.of("name", "outage-" + UUID.randomUUID().toString().substring(0, 8)));
        final long keyId = created.get("api_key").get("id").asLong();
        final String key = created.get("key").asText();

        for (int i = 0; i < 30; i++) {
            assertThat(http.get("/api/v1/whoami/", "X-API-Key", key).status()).isEqualTo(200);
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> shipped() >= 31);

        KAFKA.stop();
        final long bytesBefore = gauge("audit.journal.bytes");
        for (int i = 0; i < 30; i++) {
            assertThat(http.get("/api/v1/whoami/", "X-API-Key", key).status()).isEqualTo(200);
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            final Http.Answer health = adminHttp.get("/healthcheck");
            return health.status() == 500 && !health.json().get("audit-journal").get("healthy").asBoolean();
        });
        assertThat(gauge("audit.lag")).isGreaterThan(1_000);
        assertThat(gauge("audit.journal.bytes")).as("the journal holds what waits").isGreaterThan(bytesBefore);

        KAFKA.startBroker();
        for (int i = 0; i < 30; i++) {
            assertThat(http.get("/api/v1/whoami/", "X-API-Key", key).status()).isEqualTo(200);
        }

        final List<AuditEvent> recorded = ((TestAuthServiceApplication) APP.getApplication()).audit()
                .matching(e -> e.keyId() != null && e.keyId() == keyId);
        assertThat(recorded).hasSize(91);  // created + 90 uses
        assertThat(recorded).filteredOn(e -> e.type().equals(AuditEventTypes.API_KEY_USED)).hasSize(90);
        final List<ConsumerRecord<String, byte[]>> records = readTopic(recorded);
        final List<AuditEvent> consumed = records.stream()
                .flatMap(r -> AuditWireFormat.decodeRecord(r.value()).stream())
                .filter(e -> e.keyId() != null && e.keyId() == keyId).toList();
        final Set<UUID> firstArrivals = new LinkedHashSet<>();
        consumed.forEach(e -> firstArrivals.add(e.id()));
        assertThat(firstArrivals).as("one key's events, each there, in the order they occurred")
                .containsExactlyElementsOf(recorded.stream().map(AuditEvent::id).toList());
        assertThat(records).allSatisfy(r -> {
            assertThat(r.key()).isEqualTo("key:" + keyId);
            assertThat(new String(r.headers().lastHeader("v").value(), StandardCharsets.US_ASCII)).isEqualTo("2");
        });
        assertThat(records).extracting(ConsumerRecord::partition).containsOnly(records.get(0).partition());
        assertThat(records.size()).as("fewer records than events").isLessThan(consumed.size());

        // Kafka delivery is at-least-once (a batch whose acknowledgement failed is sent again); the
        // store, written as the audit-consumer writes it, keeps each event once
        final TestDatabases.Db storeDb = TestDatabases.newH2(TestApps.tempDir());
        final Jdbi store = Databases.configure(Jdbi.create(storeDb.url(), storeDb.user(), storeDb.password()));
        Databases.migrate(store);
        new AuditStore(store).insertAll(consumed);
        final List<UUID> storedIds = store.withHandle(h -> h.createQuery("SELECT id FROM audit_events WHERE key_id = :k")
                .bind("k", keyId).mapTo(UUID.class).list());
        assertThat(storedIds).containsExactlyInAnyOrderElementsOf(firstArrivals);
        assertThat(((Counter) APP.getEnvironment().metrics().getMetrics().get("audit.dropped")).getCount()).isZero();
        await().atMost(Duration.ofSeconds(10)).until(() -> gauge("audit.lag") == 0
                && adminHttp.get("/healthcheck").json().get("audit-journal").get("healthy").asBoolean());
    }

    /** Every record of the topic, partition by partition in offset order, once all the expected events are there. */
    private static List<ConsumerRecord<String, byte[]>> readTopic(List<AuditEvent> expected) {
        final Set<UUID> missing = new LinkedHashSet<>(expected.stream().map(AuditEvent::id).toList());
        final Map<Integer, List<ConsumerRecord<String, byte[]>>> byPartition = new HashMap<>();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(Map.of("bootstrap.servers", KAFKA.bootstrapServers()),
                new StringDeserializer(), new ByteArrayDeserializer())) {
            final List<TopicPartition> partitions = consumer.partitionsFor(TOPIC).stream()
                    .map(p -> new TopicPartition(TOPIC, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            await().atMost(Duration.ofSeconds(60)).until(() -> {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    byPartition.computeIfAbsent(record.partition(), p -> new ArrayList<>()).add(record);
                    AuditWireFormat.decodeRecord(record.value()).forEach(e -> missing.remove(e.id()));
                }
                return missing.isEmpty();
            });
            consumer.poll(Duration.ofMillis(300)).forEach(record ->  // any resend still on its way
                    byPartition.computeIfAbsent(record.partition(), p -> new ArrayList<>()).add(record));
        }
        return byPartition.values().stream().flatMap(List::stream).toList();
    }
}
