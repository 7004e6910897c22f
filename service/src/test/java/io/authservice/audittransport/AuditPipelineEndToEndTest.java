package io.authservice.audittransport;

import io.authservice.testing.StoredAuditEvents;
import com.codahale.metrics.Counter;
import com.fasterxml.jackson.databind.JsonNode;
import io.authservice.AuthServiceConfiguration;
import io.authservice.audit.AuditEvent;
import io.authservice.audit.AuditEventTypes;
import io.authservice.audit.AuditReasons;
import io.authservice.audit.AuditWireFormat;
import io.authservice.audit.testing.TestKafka;
import io.authservice.auditconsumer.AuditConsumerApplication;
import io.authservice.auditconsumer.AuditConsumerConfiguration;
import io.authservice.auditconsumer.testing.TestConfigs;
import io.authservice.testing.AdminClient;
import io.authservice.testing.Http;
import io.authservice.testing.TestApps;
import io.authservice.testing.TestAuthServiceApplication;
import io.authservice.testing.TestDatabases;
import io.dropwizard.testing.junit5.DropwizardAppExtension;
import io.dropwizard.testing.junit5.DropwizardExtensionsSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Predicate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The whole audit pipeline as production runs it: the service with {@code audit.sink: kafka}, a
 * real broker, the audit-consumer application writing PostgreSQL, and the service's query API
 * reading it back. Exactly the events the service recorded come back, field by field.
 */
@ExtendWith(DropwizardExtensionsSupport.class)
class AuditPipelineEndToEndTest {
    private static final String TOPIC = "audit-e2e";
    private static final TestKafka KAFKA = TestKafka.shared().createTopic(TOPIC, 3);
    private static final Path DIR = TestApps.tempDir();
    private static final TestDatabases.Db DB = TestDatabases.newPostgres();
    private static final DropwizardAppExtension<AuthServiceConfiguration> SERVICE = new DropwizardAppExtension<>(
            TestAuthServiceApplication.class, TestApps.writeConfig(DB, DIR,
            "audit:",
            "  sink: kafka",
            "  kafka:",
            "    bootstrapServers: " + KAFKA.bootstrapServers(),
            "    topic: " + TOPIC));
    private static final DropwizardAppExtension<AuditConsumerConfiguration> CONSUMER = new DropwizardAppExtension<>(
            AuditConsumerApplication.class, TestConfigs.write(TestConfigs.tempDir(),  // on the service's database: one store
            new TestConfigs.Store(DB.driverClass(), DB.url(), DB.user(), DB.password()), KAFKA.bootstrapServers(), TOPIC, "e2e"));

    @Test
    void keyUsesAndFailedAttemptsComeBackThroughTheQueryApiExactlyAsRecorded() {
        final AdminClient admin = new AdminClient(SERVICE.client(), SERVICE.getAdminPort());
        final Http http = new Http(SERVICE.getLocalPort());
        final JsonNode created = admin.json("create-api-key", Map.of("name", "e2e-caller"));
        final long keyId = created.get("api_key").get("id").asLong();
        final String key = created.get("key").asText();
        final String reader = admin.json("create-api-key", Map.of("name", "e2e-siem", "scopes", "audit:read"))
                .get("key").asText();

        final int n = 25;
        for (int i = 0; i < n; i++) {
            assertThat(http.get("/api/v1/whoami/", "X-API-Key", key, "User-Agent", "e2e/" + i).status()).isEqualTo(200);
        }
        for (int i = 0; i < 3; i++) {
            final String unknown = HexFormat.of().formatHex(randomBytes(20));
            assertThat(http.get("/api/v1/whoami/", "X-API-Key", unknown).status()).isEqualTo(401);
        }
        for (int i = 0; i < 2; i++) {
            assertThat(http.get("/api/v1/whoami/", "X-API-Key", "not-a-key-" + i).status()).isEqualTo(401);
        }

        final List<AuditEvent> keyEvents = recorded(e -> e.keyId() != null && e.keyId() == keyId);
        assertThat(keyEvents).filteredOn(e -> e.type().equals(AuditEventTypes.API_KEY_USED)).hasSize(n);
        assertThat(keyEvents).filteredOn(e -> e.type().equals(AuditEventTypes.API_KEY_CREATED)).hasSize(1);
        final List<AuditEvent> rejected = recorded(e -> e.type().equals(AuditEventTypes.API_KEY_REJECTED));
        assertThat(rejected).extracting(AuditEvent::reason).containsExactlyInAnyOrder(
                AuditReasons.UNKNOWN, AuditReasons.UNKNOWN, AuditReasons.UNKNOWN, AuditReasons.MALFORMED, AuditReasons.MALFORMED);

        final List<AuditEvent> keyAnswer = new ArrayList<>();
        final List<AuditEvent> rejectedAnswer = new ArrayList<>();
        await().atMost(Duration.ofSeconds(40)).until(() -> {
            keyAnswer.clear();
            keyAnswer.addAll(query(http, reader, "key_id=" + keyId));
            rejectedAnswer.clear();
            rejectedAnswer.addAll(query(http, reader, "type=api_key.rejected"));
            return keyAnswer.size() >= keyEvents.size() && rejectedAnswer.size() >= rejected.size();
        });

        // exactly those events, each once, every field as the service recorded it
        assertThat(keyAnswer).containsExactlyInAnyOrderElementsOf(keyEvents.stream().map(StoredAuditEvents::asStored).toList());
        assertThat(rejectedAnswer).containsExactlyInAnyOrderElementsOf(rejected.stream().map(StoredAuditEvents::asStored).toList());
        final AuditEvent sample = keyAnswer.stream().filter(e -> "e2e/7".equals(e.userAgent())).findFirst().orElseThrow();
        assertThat(sample.type()).isEqualTo(AuditEventTypes.API_KEY_USED);
        assertThat(sample.outcome()).isEqualTo(AuditEvent.SUCCESS);
        assertThat(sample.keyName()).isEqualTo("e2e-caller");
        assertThat(sample.keyPrefix()).isEqualTo(key.substring(0, 8));
        assertThat(sample.method()).isEqualTo("GET");
        assertThat(sample.path()).isEqualTo("/api/v1/whoami/");
        assertThat(sample.status()).isEqualTo(200);
        assertThat(sample.clientAddress()).isEqualTo("127.0.0.1");
        assertThat(rejectedAnswer).allSatisfy(e -> {
            assertThat(e.outcome()).isEqualTo(AuditEvent.FAILURE);
            assertThat(e.status()).isEqualTo(401);
            assertThat(e.keyId()).isNull();
        });

        assertThat(counter(SERVICE, "audit.dropped")).isZero();
        assertThat(SERVICE.getEnvironment().metrics().meter("audit.shipped").getCount()).isPositive();
        // many events to a record (v2): the consumer read every event, in fewer records (it counts a batch after
        // storing it and committing its offsets, so the count may follow the stored events by a moment)
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(CONSUMER.getEnvironment().metrics()
                .meter("audit-consumer.events").getCount()).isGreaterThanOrEqualTo(keyEvents.size() + rejected.size()));
        final long consumedEvents = CONSUMER.getEnvironment().metrics().meter("audit-consumer.events").getCount();
        assertThat(CONSUMER.getEnvironment().metrics().meter("audit-consumer.records").getCount()).isPositive()
                .isLessThanOrEqualTo(consumedEvents);
    }

    private static List<AuditEvent> recorded(Predicate<AuditEvent> filter) {
        return ((TestAuthServiceApplication) SERVICE.getApplication()).audit().matching(filter);
    }

    /** One page of the query API (every event of this test fits in it), decoded from the wire form. */
    private static List<AuditEvent> query(Http http, String reader, String filter) {
        final Http.Answer answer = http.get("/api/v1/audit/events/?" + filter + "&limit=500", "X-API-Key", reader);
        assertThat(answer.status()).as(answer.body()).isEqualTo(200);
        assertThat(answer.json().get("next_cursor").isNull()).isTrue();
        final List<AuditEvent> events = new ArrayList<>();
        answer.json().get("events").forEach(e -> events.add(AuditWireFormat.decode(e.toString().getBytes(StandardCharsets.UTF_8))));
        return events;
    }

    private static long counter(DropwizardAppExtension<?> app, String name) {
        return ((Counter) app.getEnvironment().metrics().getMetrics().get(name)).getCount();
    }

    private static byte[] randomBytes(int n) {
        final byte[] bytes = new byte[n];
        ThreadLocalRandom.current().nextBytes(bytes);
        return bytes;
    }
}
