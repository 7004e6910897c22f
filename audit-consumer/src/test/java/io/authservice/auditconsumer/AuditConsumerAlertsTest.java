package io.authservice.auditconsumer;

import io.authservice.audit.AuditEvent;
import io.authservice.audit.AuditEventTypes;
import io.authservice.audit.AuditReasons;
import io.authservice.audit.AuditWireFormat;
import io.authservice.audit.seal.SealKeys;
import io.authservice.audit.seal.TrailVerification;
import io.authservice.audit.seal.TrailVerifier;
import io.authservice.audit.testing.TestKafka;
import io.authservice.auditconsumer.testing.TestConfigs;
import io.dropwizard.testing.DropwizardTestSupport;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The alert rules in the audit-consumer, on PostgreSQL: a burst of failures from one address, spread over
 * two partitions (two consumer threads, two writers), raises one alert, its alert.raised event sealed in the
 * consumer's alerts chain and its outbox row waiting for the service's delivery workers.
 */
class AuditConsumerAlertsTest {
    private static final String TOPIC = "audit-alerts-test";
    private static final Instant T0 = Instant.parse("2026-12-01T10:20:00Z");

    @Test
    void aBurstSpreadOverTwoPartitionsRaisesOneSealedAlert() throws Exception {
        try (TestKafka kafka = TestKafka.start().createTopic(TOPIC, 2)) {
            final Path dir = TestConfigs.tempDir();
            final TestConfigs.Store store = TestConfigs.Store.postgres();
            final DropwizardTestSupport<AuditConsumerConfiguration> app = new DropwizardTestSupport<>(AuditConsumerApplication.class,
                    TestConfigs.write(dir, store, kafka.bootstrapServers(), TOPIC, "alerts-test",
                            "alerts: {enabled: true, failureBurst: {threshold: 10, window: 1h}}"));
            app.before();
            try {
                try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of("bootstrap.servers", kafka.bootstrapServers()),
                        new StringSerializer(), new ByteArraySerializer())) {
                    for (int i = 0; i < 24; i++) {
                        final AuditEvent failure = AuditEvent.builder(AuditEventTypes.API_KEY_REJECTED, AuditEvent.FAILURE,
                                        T0.plusMillis(i)).reason(AuditReasons.UNKNOWN)
                                .request("198.51.100.7", "curl", "GET", "/api/v1/whoami/").build();
                        producer.send(new ProducerRecord<>(TOPIC, i % 2, "address", AuditWireFormat.encode(failure)));
                    }
                    producer.flush();
                }
                final Jdbi jdbi = store.jdbi();
                await().atMost(Duration.ofSeconds(60)).until(() -> count(jdbi, "SELECT COUNT(*) FROM audit_events WHERE type = 'api_key.rejected'") == 24);

                assertThat(count(jdbi, "SELECT COUNT(*) FROM audit_alerts WHERE rule = 'failure_burst'"
                        + " AND subject = 'address:198.51.100.7' AND delivered_at IS NULL")).isEqualTo(1);
                assertThat(count(jdbi, "SELECT COUNT(*) FROM audit_events WHERE type = 'alert.raised' AND reason = 'failure_burst'"))
                        .isEqualTo(1);
                assertThat(count(jdbi, "SELECT events FROM audit_alert_counts WHERE subject = 'address:198.51.100.7'")).isEqualTo(24);
                final TrailVerification verification = new TrailVerifier(jdbi, SealKeys.load(app.getConfiguration().getSeal()).trusted())
                        .verify(null, null);
                assertThat(verification.findings()).isEmpty();
                assertThat(verification.events()).isEqualTo(25);
            } finally {
                app.after();
            }
        }
    }

    private static long count(Jdbi jdbi, String sql) {
        return jdbi.withHandle(h -> h.createQuery(sql).mapTo(Long.class).one());
    }
}
