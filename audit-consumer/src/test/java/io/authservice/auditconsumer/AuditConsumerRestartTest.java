package io.authservice.auditconsumer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.authservice.audit.AuditEvent;
import io.authservice.audit.AuditWireFormat;
import io.authservice.audit.testing.TestKafka;
import io.authservice.auditconsumer.testing.TestConfigs;
import io.dropwizard.testing.junit5.DropwizardAppExtension;
import io.dropwizard.testing.junit5.DropwizardExtensionsSupport;
import jakarta.ws.rs.core.Response;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The broker goes away right after a batch is stored, so its offset commit fails (it times out): the
 * consumer thread does not die silently. The {@code consumers} health check is red while it is stuck
 * and restarting, a new consumer takes over from the last committed offsets once the broker is back,
 * every event is stored exactly once, and the health check is green again. A real broker and PostgreSQL.
 */
@ExtendWith(DropwizardExtensionsSupport.class)
class AuditConsumerRestartTest {
    private static final String TOPIC = "audit-restart-test";
    private static final TestKafka KAFKA = TestKafka.start().createTopic(TOPIC, 1);
    private static final TestConfigs.Store STORE = TestConfigs.Store.postgres();
    /** Opened once every record is on the broker, so that stopping it loses none. */
    private static final CountDownLatch PRODUCED = new CountDownLatch(1);
    private static final AtomicBoolean BROKER_STOPPED = new AtomicBoolean();

    /** The audit-consumer, with the broker stopped after its first batch is stored, before that batch's commit. */
    public static final class BrokerGoesAwayAfterTheFirstBatch extends AuditConsumerApplication {
        @Override
        protected AuditConsumerLoop.BatchHook batchHook() {
            return batch -> {
                if (BROKER_STOPPED.compareAndSet(false, true)) {
                    try {
                        assertThat(PRODUCED.await(60, TimeUnit.SECONDS)).isTrue();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new IllegalStateException(e);
                    }
                    KAFKA.stop();
                }
            };
        }
    }

    private static final DropwizardAppExtension<AuditConsumerConfiguration> APP = new DropwizardAppExtension<>(
            BrokerGoesAwayAfterTheFirstBatch.class, TestConfigs.write(TestConfigs.tempDir(), STORE, KAFKA.bootstrapServers(),
            TOPIC, "restart-test", List.of(
                    "healthPollTimeout: 2s",
                    "restartBackoff: 500ms",
                    "maxRestartBackoff: 2s",
                    "closeTimeout: 2s",
                    // a commit gives up after 5 s rather than the default 60 s; the member that could not leave the
                    // group while the broker was away is dropped after 6 s rather than 45 s
                    "consumer: {default.api.timeout.ms: '5000', request.timeout.ms: '3000', session.timeout.ms: '6000',"
                            + " heartbeat.interval.ms: '1000'}")));

    @AfterAll
    static void stopKafka() {
        KAFKA.close();
    }

    @Test
    void aConsumerWhoseCommitFailsRestartsAndStoresEveryEventOnceAndTheHealthCheckSaysSoMeanwhile() throws Exception {
        await().atMost(Duration.ofSeconds(30)).until(() -> consumersCheck().get("healthy").asBoolean());
        final List<AuditEvent> events = new ArrayList<>();
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of("bootstrap.servers", KAFKA.bootstrapServers()),
                new StringSerializer(), new ByteArraySerializer())) {
            for (AuditEvent e : AuditConsumerApplicationContract.events(60, 3)) {
                events.add(e);
                producer.send(new ProducerRecord<>(TOPIC, "key:3", AuditWireFormat.encode(e)));
            }
            for (int i = 0; i < 4; i++) {
                final List<AuditEvent> batch = AuditConsumerApplicationContract.events(25, 3);
                events.addAll(batch);
                producer.send(new ProducerRecord<>(TOPIC, "key:3",
                        AuditWireFormat.encodeBatch(batch.stream().map(AuditWireFormat::encode).toList())));
            }
            producer.flush();
        }
        PRODUCED.countDown();

        // the first batch is stored, then the broker stops and the commit hangs: red, while it hangs and restarts
        final Set<String> seen = new LinkedHashSet<>();
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).until(() -> {
            final JsonNode check = consumersCheck();
            if (!check.get("healthy").asBoolean()) {
                seen.add(check.get("message").asText().replaceAll("\\d+ s \\(", "N s ("));
            }
            return APP.getEnvironment().metrics().counter("audit-consumer.restarts").getCount() >= 1 && !seen.isEmpty();
        });
        assertThat(BROKER_STOPPED).isTrue();
        assertThat(seen).anySatisfy(message -> assertThat(message).matches(
                ".*audit-consumer-\\d (has not come back from a poll|is restarting after a failure).*"));

        KAFKA.startBroker();

        final Jdbi jdbi = STORE.jdbi();
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(250)).until(() ->
                count(jdbi) == events.size() && consumersCheck().get("healthy").asBoolean());
        final List<UUID> ids = jdbi.withHandle(h -> h.createQuery("SELECT id FROM audit_events").mapTo(UUID.class).list());
        assertThat(ids).as("every event stored exactly once").hasSize(events.size())
                .containsExactlyInAnyOrderElementsOf(events.stream().map(AuditEvent::id).toList());
        assertThat(consumersCheck().get("message").asText()).matches("2 consumer thread\\(s\\) polling; [1-9]\\d* restart\\(s\\) since start");
        final long letters = jdbi.withHandle(h -> h.createQuery("SELECT COUNT(*) FROM audit_dead_letters").mapTo(Long.class).one());
        assertThat(letters).isZero();
        await().atMost(Duration.ofSeconds(30)).until(() -> healthcheck().get("kafka").get("healthy").asBoolean());
    }

    private static long count(Jdbi jdbi) {
        return jdbi.withHandle(h -> h.createQuery("SELECT COUNT(*) FROM audit_events").mapTo(Long.class).one());
    }

    private static JsonNode consumersCheck() throws Exception {
        return healthcheck().get("consumers");
    }

    private static JsonNode healthcheck() throws Exception {
        try (Response health = APP.client().target("http://127.0.0.1:" + APP.getAdminPort() + "/healthcheck").request().get()) {
            return new ObjectMapper().readTree(health.readEntity(String.class));
        }
    }
}
