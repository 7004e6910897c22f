package io.authservice.auditing;

import com.codahale.metrics.Counter;
import com.fasterxml.jackson.databind.JsonNode;
import io.authservice.AuthServiceConfiguration;
import io.authservice.audit.AuditEvent;
import io.authservice.audit.AuditEventTypes;
import io.authservice.audit.AuditWireFormat;
import io.authservice.testing.AdminClient;
import io.authservice.testing.Http;
import io.authservice.testing.TestApps;
import io.authservice.testing.TestAuthServiceApplication;
import io.authservice.testing.TestDatabases;
import io.authservice.audit.testing.TestKafka;
import io.dropwizard.testing.junit5.DropwizardAppExtension;
import io.dropwizard.testing.junit5.DropwizardExtensionsSupport;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The Kafka sink against a real broker in the test JVM: events published with the key id as record
 * key; through a broker outage no request fails, events are spooled, nothing is dropped; after the
 * broker is back every event arrives, once.
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
            "  kafka:",
            "    bootstrapServers: " + KAFKA.bootstrapServers(),
            "    topic: " + TOPIC,
            "    spoolDirectory: \"" + DIR.resolve("spool") + "\"",
            "    maxBlock: 200ms",
            "    requestTimeout: 1s",
            "    deliveryTimeout: 3s",
            "    retryInterval: 200ms"));

    @AfterAll
    static void stopKafka() {
        KAFKA.close();
    }

    private long metric(String name) {
        return ((Counter) APP.getEnvironment().metrics().getMetrics().get(name)).getCount();
    }

    @Test
    void noEventIsLostOrDoubledThroughABrokerOutage() {
        final AdminClient admin = new AdminClient(APP.client(), APP.getAdminPort());
        final Http http = new Http(APP.getLocalPort());
        final JsonNode created = admin.json("create-api-key", Map.of("name", "outage-" + UUID.randomUUID().toString().substring(0, 8)));
        final long keyId = created.get("api_key").get("id").asLong();
        final String key = created.get("key").asText();

        for (int i = 0; i < 30; i++) {
            assertThat(http.get("/api/v1/whoami/", "X-API-Key", key).status()).isEqualTo(200);
        }
        // delivered (straight, or through the spool if the young broker was slow to answer)
        await().atMost(Duration.ofSeconds(30)).until(() -> metric("audit.published") + metric("audit.replayed") >= 31);

        KAFKA.stop();
        for (int i = 0; i < 30; i++) {
            assertThat(http.get("/api/v1/whoami/", "X-API-Key", key).status()).isEqualTo(200);
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> metric("audit.spooled") >= 30);
        final Http.Answer health = new Http(APP.getAdminPort()).get("/healthcheck");
        assertThat(health.status()).isEqualTo(500);
        assertThat(health.json().get("audit-kafka").get("healthy").asBoolean()).isFalse();

        KAFKA.startBroker();
        for (int i = 0; i < 30; i++) {
            assertThat(http.get("/api/v1/whoami/", "X-API-Key", key).status()).isEqualTo(200);
        }

        final List<AuditEvent> recorded = ((TestAuthServiceApplication) APP.getApplication()).audit()
                .matching(e -> e.keyId() != null && e.keyId() == keyId);
        assertThat(recorded).hasSize(91);  // created + 90 uses
        final Set<UUID> expected = recorded.stream().map(AuditEvent::id).collect(Collectors.toSet());
        final Map<UUID, Integer> arrived = new HashMap<>();
        final List<AuditEvent> consumed = new ArrayList<>();
        final List<String> recordKeys = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(Map.of("bootstrap.servers", KAFKA.bootstrapServers(),
                "group.id", "outage-test", "auto.offset.reset", "earliest"), new StringDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(TOPIC));
            await().atMost(Duration.ofSeconds(60)).until(() -> {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    final AuditEvent event = AuditWireFormat.decode(record.value());
                    if (expected.contains(event.id())) {
                        arrived.merge(event.id(), 1, Integer::sum);
                        recordKeys.add(record.key());
                        consumed.add(event);
                    }
                }
                return arrived.keySet().containsAll(expected);
            });
            // anything still in flight arrives within another poll
            consumer.poll(Duration.ofMillis(500)).forEach(record -> {
                final AuditEvent event = AuditWireFormat.decode(record.value());
                if (expected.contains(event.id())) {
                    arrived.merge(event.id(), 1, Integer::sum);
                    consumed.add(event);
                }
            });
        }
        assertThat(arrived.keySet()).containsExactlyInAnyOrderElementsOf(expected);
        // Kafka delivery is at-least-once (a record whose acknowledgement timed out is replayed from the
        // spool); the store, written as the audit-consumer writes it, keeps each event exactly once
        final Path storeDir = TestApps.tempDir();
        final TestDatabases.Db storeDb = TestDatabases.newH2(storeDir);
        final org.jdbi.v3.core.Jdbi store = io.authservice.db.Databases.configure(
                org.jdbi.v3.core.Jdbi.create(storeDb.url(), storeDb.user(), storeDb.password()));
        io.authservice.db.Databases.migrate(store);
        new io.authservice.audit.AuditStore(store).insertAll(consumed);
        final List<UUID> storedIds = store.withHandle(h -> h.createQuery("SELECT id FROM audit_events WHERE key_id = :k")
                .bind("k", keyId).mapTo(UUID.class).list());
        assertThat(storedIds).containsExactlyInAnyOrderElementsOf(expected);
        assertThat(arrived.values()).as("in Kafka, each event once while nothing timed out ambiguously")
                .allSatisfy(n -> assertThat(n).isBetween(1, 2));
        assertThat(recordKeys).containsOnly("key:" + keyId);
        assertThat(metric("audit.dropped")).isZero();
        assertThat(metric("audit.replayed")).isGreaterThanOrEqualTo(30);
        assertThat(recorded).filteredOn(e -> e.type().equals(AuditEventTypes.API_KEY_USED)).hasSize(90);
    }
}
