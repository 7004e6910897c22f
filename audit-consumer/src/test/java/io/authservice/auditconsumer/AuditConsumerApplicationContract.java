package io.authservice.auditconsumer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.authservice.audit.AuditEvent;
import io.authservice.audit.AuditEventTypes;
import io.authservice.audit.AuditWireFormat;
import io.authservice.auditconsumer.testing.FixedClockAuditConsumer;
import io.authservice.auditconsumer.testing.TestConfigs;
import io.authservice.audit.testing.TestKafka;
import io.authservice.observability.PrometheusEndpoint;
import io.authservice.observability.testing.PrometheusText;
import io.dropwizard.testing.junit5.DropwizardAppExtension;
import jakarta.ws.rs.core.Response;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The audit-consumer process against a real broker and a real audit store: events arrive in the
 * store once, a poison record becomes a dead letter and the events after it still arrive; health
 * checks. Run once per database by its subclasses (the store's insert-if-absent differs between
 * H2 and PostgreSQL).
 */
abstract class AuditConsumerApplicationContract {
    /** The shared broker, a topic of the class's own on it, a store, and the application reading the one into the other. */
    record Setup(TestKafka kafka, String topic, TestConfigs.Store store, DropwizardAppExtension<AuditConsumerConfiguration> app) {
        /** Makes the topic and the store (given the test's directory); the extension starts the application. */
        static Setup start(Function<Path, TestConfigs.Store> storeIn) {
            final String topic = TestKafka.uniqueTopic("audit-app-test");
            final TestKafka kafka = TestKafka.shared().createTopic(topic, 3);
            final Path dir = TestConfigs.tempDir();
            final TestConfigs.Store store = storeIn.apply(dir);
            return new Setup(kafka, topic, store, new DropwizardAppExtension<>(FixedClockAuditConsumer.class,
                    TestConfigs.write(dir, store, kafka.bootstrapServers(), topic, topic)));
        }
    }

    protected abstract Setup setup();

    @Test
    void eventsArriveOnceAndAPoisonRecordBecomesADeadLetter() throws Exception {
        final DropwizardAppExtension<AuditConsumerConfiguration> app = setup().app();
        final String topic = setup().topic();
        final List<AuditEvent> before = events(20, 1);
        final List<AuditEvent> after = events(20, 2);
        final byte[] poison = "{\"v\":1,\"id\":\"not-a-uuid\"".getBytes(StandardCharsets.UTF_8);
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(
                Map.of("bootstrap.servers", setup().kafka().bootstrapServers()),
                new StringSerializer(), new ByteArraySerializer())) {
            for (AuditEvent e : before) {
                producer.send(new ProducerRecord<>(topic, "key:1", AuditWireFormat.encode(e)));
            }
            producer.send(new ProducerRecord<>(topic, "key:1", poison)).get();
            for (AuditEvent e : after) {
                producer.send(new ProducerRecord<>(topic, "key:1", AuditWireFormat.encode(e)));
            }
            // the same events again, as a producer retry or a spool replay would send them
            for (AuditEvent e : before) {
                producer.send(new ProducerRecord<>(topic, "key:1", AuditWireFormat.encode(e)));
            }
            producer.flush();
        }

        final Jdbi jdbi = setup().store().jdbi();
        await().atMost(Duration.ofSeconds(60)).until(() -> jdbi.withHandle(h ->
                h.createQuery("SELECT COUNT(*) FROM audit_events").mapTo(Long.class).one()) == 40
                && app.getEnvironment().metrics().meter("audit-consumer.records").getCount() == 61);
        final List<Map<String, Object>> letters = jdbi.withHandle(h ->
                h.createQuery("SELECT topic, partition_no, record_offset, record_key, payload, error FROM audit_dead_letters")
                        .mapToMap().list());
        assertThat(letters).hasSize(1);
        final Map<String, Object> letter = letters.get(0);
        assertThat(letter.get("topic")).isEqualTo(topic);
        assertThat(letter.get("record_key")).isEqualTo("key:1");
        assertThat((byte[]) letter.get("payload")).isEqualTo(poison);
        assertThat((String) letter.get("error")).startsWith("not JSON");
        assertThat(((Number) letter.get("record_offset")).longValue()).isEqualTo(20);

        final ObjectMapper json = new ObjectMapper();
        try (Response health = app.client().target("http://127.0.0.1:" + app.getAdminPort() + "/healthcheck").request().get()) {
            final JsonNode checks = json.readTree(health.readEntity(String.class));
            assertThat(checks.get("database").get("healthy").asBoolean()).isTrue();
            assertThat(checks.get("kafka").get("healthy").asBoolean()).as(checks.toString()).isTrue();
        }
        assertThat(app.getEnvironment().metrics().counter("audit-consumer.dead-letters").getCount()).isEqualTo(1);
        assertThat(app.getEnvironment().metrics().getGauges()).containsKey("audit-consumer.lag");
        assertThat(app.getEnvironment().metrics().timer("audit-consumer.batches").getCount()).isPositive();

        // the same metrics in the Prometheus text format, without the admin token
        try (Response scrape = app.client().target("http://127.0.0.1:" + app.getAdminPort() + PrometheusEndpoint.PATH)
                .request().get()) {
            assertThat(scrape.getStatus()).isEqualTo(200);
            assertThat(scrape.getHeaderString("Content-Type")).startsWith("text/plain; version=0.0.4");
            final Map<String, Double> samples = PrometheusText.unlabelledSamples(scrape.readEntity(String.class));
            assertThat(samples).containsEntry("audit_consumer_records_total", 61.0)
                    .containsEntry("audit_consumer_dead_letters_total", 1.0)
                    .containsKey("audit_consumer_batches_count");
        }
    }

    static List<AuditEvent> events(int n, long keyId) {
        final List<AuditEvent> events = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            events.add(AuditEvent.builder(AuditEventTypes.API_KEY_USED, AuditEvent.SUCCESS, FixedClockAuditConsumer.NOW)
                    .key(keyId, "k" + keyId, "abcd1234").request("10.0.0.1", "ua", "GET", "/api/v1/whoami/").status(200).build());
        }
        return events;
    }
}
