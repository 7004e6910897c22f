package io.authservice.alerts;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.authservice.AuthServiceConfiguration;
import io.authservice.audit.alert.WebhookSignatures;
import io.authservice.audit.testing.TestKafka;
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
import org.apache.kafka.common.serialization.StringDeserializer;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Alerts through the whole service on PostgreSQL: a burst of bad keys raises alert.raised events (sealed: the
 * trail still verifies) that the delivery worker sends to a real HTTP receiver inside the test, signed, and
 * to a real Kafka topic; the test-alert task goes the same way.
 */
@ExtendWith(DropwizardExtensionsSupport.class)
class AlertsIntegrationTest {
    private static final String SECRET = "whsec-service-test-0123456789abcdef0123";
    private static final String TOPIC = "auth.alerts-test";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final TestKafka KAFKA = TestKafka.start().createTopic(TOPIC, 1);
    private static final ConcurrentLinkedQueue<Call> CALLS = new ConcurrentLinkedQueue<>();
    private static final HttpServer RECEIVER = receiver();
    private static final Path DIR = TestApps.tempDir();
    private static final TestDatabases.Db DB = TestDatabases.newPostgres();
    private static final DropwizardAppExtension<AuthServiceConfiguration> APP = new DropwizardAppExtension<>(
            TestAuthServiceApplication.class, TestApps.writeConfig(DB, DIR,
            "alerts:",
            "  enabled: true",
            "  failureBurst: {threshold: 5, window: 1h}",
            "  webhooks: [{name: soc, url: \"http://127.0.0.1:" + RECEIVER.getAddress().getPort() + "/hook\", secret: " + SECRET + "}]",
            "  kafka: {enabled: true, bootstrapServers: \"" + KAFKA.bootstrapServers() + "\", topic: " + TOPIC + "}",
            "  delivery: {pollInterval: 100ms, initialBackoff: 100ms, maxBackoff: 1s}"));

    record Call(String signature, String idempotencyKey, String body) {
        JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    private static HttpServer receiver() {
        try {
            final HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            server.createContext("/hook", exchange -> {
                try (InputStream in = exchange.getRequestBody()) {
                    CALLS.add(new Call(exchange.getRequestHeaders().getFirst(WebhookSignatures.HEADER),
                            exchange.getRequestHeaders().getFirst(WebhookSignatures.IDEMPOTENCY_HEADER),
                            new String(in.readAllBytes(), StandardCharsets.UTF_8)));
                }
                exchange.sendResponseHeaders(204, -1);
                exchange.close();
            });
            server.start();
            return server;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @AfterAll
    static void stop() {
        RECEIVER.stop(0);
        KAFKA.close();
    }

    private static Call callFor(String id) {
        return CALLS.stream().filter(c -> id.equals(c.idempotencyKey())).findFirst().orElse(null);
    }

    @Test
    void theTestAlertIsDeliveredSignedToTheWebhookAndToKafka() {
        final AdminClient admin = new AdminClient(APP.client(), APP.getAdminPort());
        final JsonNode answer = admin.json(ServiceAlerts.TEST_TASK, Map.of());
        final String id = answer.get("id").asText();
        assertThat(answer.get("destinations")).extracting(JsonNode::asText).containsExactly("soc", "kafka");

        await().atMost(Duration.ofSeconds(30)).until(() -> callFor(id) != null);
        final Call call = callFor(id);
        final long now = APP.<TestAuthServiceApplication>getApplication().testClock().instant().getEpochSecond();
        assertThat(WebhookSignatures.verify(SECRET, call.signature(), call.body(), now, 300)).isTrue();
        assertThat(call.json().get("rule").asText()).isEqualTo("test_alert");
        assertThat(call.json().get("test").asBoolean()).isTrue();

        final List<ConsumerRecord<String, String>> records = readTopic(id);
        assertThat(records).extracting(ConsumerRecord::value).contains(call.body());
        assertThat(new String(records.get(0).headers().lastHeader(WebhookSignatures.IDEMPOTENCY_HEADER).value(),
                StandardCharsets.UTF_8)).isEqualTo(records.get(0).key());
    }

    @Test
    void aBurstOfBadKeysRaisesSealedAlertsThatAreDelivered() {
        final Http http = new Http(APP.getLocalPort());
        final String bad = "0123456789abcdef0123456789abcdef01234567";
        // 2 x threshold - 1: at least five fall in one window, wherever its edge is
        for (int i = 0; i < 9; i++) {
            assertThat(http.get("/api/v1/whoami/", "X-API-Key", bad).status()).isEqualTo(401);
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> CALLS.stream()
                .filter(c -> c.json().get("rule").asText().equals("failure_burst"))
                .map(c -> c.json().get("subject").asText()).filter(s -> s.startsWith("address:")).count() >= 1
                && CALLS.stream().anyMatch(c -> c.json().get("subject").asText().startsWith("fingerprint:")));
        final Call burst = CALLS.stream().filter(c -> c.json().get("subject").asText().startsWith("address:")).findFirst().orElseThrow();
        assertThat(burst.json().get("count").asLong()).isGreaterThanOrEqualTo(5);
        assertThat(burst.json().get("event").get("type").asText()).isEqualTo("api_key.rejected");
        assertThat(burst.body()).doesNotContain(bad).doesNotContain(SECRET);

        // the alert.raised events are in the trail, and the sealed trail still verifies
        final Jdbi jdbi = Jdbi.create(DB.url(), DB.user(), DB.password());
        final List<String> raised = jdbi.withHandle(h -> h.createQuery("SELECT reason FROM audit_events WHERE type = 'alert.raised'")
                .mapTo(String.class).list());
        assertThat(raised).contains("failure_burst");
        final JsonNode verified = new AdminClient(APP.client(), APP.getAdminPort()).json("verify-audit-trail", Map.of());
        assertThat(verified.get("findings")).isEmpty();
        // every delivered alert is marked so
        await().atMost(Duration.ofSeconds(30)).until(() -> jdbi.withHandle(h -> h.createQuery(
                "SELECT COUNT(*) FROM audit_alerts WHERE delivered_at IS NULL AND rule = 'failure_burst'").mapTo(Long.class).one()) == 0);
    }

    private static List<ConsumerRecord<String, String>> readTopic(String key) {
        final List<ConsumerRecord<String, String>> found = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of("bootstrap.servers", KAFKA.bootstrapServers()),
                new StringDeserializer(), new StringDeserializer())) {
            final List<TopicPartition> partitions = List.of(new TopicPartition(TOPIC, 0));
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            await().atMost(Duration.ofSeconds(60)).until(() -> {
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(200))) {
                    if (key.equals(record.key())) {
                        found.add(record);
                    }
                }
                return !found.isEmpty();
            });
        }
        return found;
    }
}
