package io.authservice.auditconsumer;

import io.authservice.audit.AuditEvent;
import io.authservice.audit.AuditEventTypes;
import io.authservice.audit.AuditWireFormat;
import io.authservice.auditconsumer.testing.TestConfigs;
import io.dropwizard.testing.junit5.DropwizardAppExtension;
import io.dropwizard.testing.junit5.DropwizardExtensionsSupport;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * An event that decodes but that PostgreSQL refuses (here a time past its range) must not hold up
 * its partition: it becomes a dead letter, and the events around it, in the same batch or after
 * it, are stored.
 */
@ExtendWith(DropwizardExtensionsSupport.class)
class AuditConsumerRefusedEventPostgresTest {
    private static final AuditConsumerApplicationContract.Setup SETUP =
            AuditConsumerApplicationContract.Setup.start(dir -> TestConfigs.Store.postgres());
    private static final DropwizardAppExtension<AuditConsumerConfiguration> APP = SETUP.app();

    @AfterAll
    static void stopKafka() {
        SETUP.kafka().close();
    }

    @Test
    void anEventTheStoreRefusesBecomesADeadLetterAndTheRestOfItsBatchIsStored() throws Exception {
        final List<AuditEvent> before = AuditConsumerApplicationContract.events(10, 7);
        final List<AuditEvent> after = AuditConsumerApplicationContract.events(10, 7);
        final AuditEvent refused = new AuditEvent(UUID.randomUUID(), Instant.parse("+300000-01-01T00:00:00Z"),
                AuditEventTypes.API_KEY_USED, AuditEvent.SUCCESS, null, 7L, "k7", "abcd1234", null, null, null, null,
                null, 200, null, null, null, null, null);
        final byte[] refusedBytes = AuditWireFormat.encode(refused);
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(
                Map.of("bootstrap.servers", SETUP.kafka().bootstrapServers(), "linger.ms", 50),
                new StringSerializer(), new ByteArraySerializer())) {
            before.forEach(e -> producer.send(new ProducerRecord<>(AuditConsumerApplicationContract.TOPIC, "key:7",
                    AuditWireFormat.encode(e))));
            producer.send(new ProducerRecord<>(AuditConsumerApplicationContract.TOPIC, "key:7", refusedBytes));
            after.forEach(e -> producer.send(new ProducerRecord<>(AuditConsumerApplicationContract.TOPIC, "key:7",
                    AuditWireFormat.encode(e))));
            producer.flush();
        }

        final Jdbi jdbi = SETUP.store().jdbi();
        await().atMost(Duration.ofSeconds(60)).until(() -> jdbi.withHandle(h ->
                h.createQuery("SELECT COUNT(*) FROM audit_events WHERE key_id = 7").mapTo(Long.class).one()) == 20
                && APP.getEnvironment().metrics().counter("audit-consumer.dead-letters").getCount() == 1);
        final List<Map<String, Object>> letters = jdbi.withHandle(h -> h.createQuery(
                "SELECT record_key, record_offset, payload, error FROM audit_dead_letters").mapToMap().list());
        assertThat(letters).singleElement().satisfies(letter -> {
            assertThat(letter.get("record_key")).isEqualTo("key:7");
            assertThat(((Number) letter.get("record_offset")).longValue()).isEqualTo(10);
            assertThat((byte[]) letter.get("payload")).isEqualTo(refusedBytes);
            assertThat((String) letter.get("error")).startsWith("not storable: 22");
        });
        final long refusedRows = jdbi.withHandle(h -> h.createQuery("SELECT COUNT(*) FROM audit_events WHERE id = :id")
                .bind("id", refused.id()).mapTo(Long.class).one());
        assertThat(refusedRows).isZero();
        assertThat(APP.getEnvironment().metrics().meter("audit-consumer.records").getCount()).isEqualTo(21);
    }
}
