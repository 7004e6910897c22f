package io.authservice.auditconsumer;

import com.codahale.metrics.MetricRegistry;
import io.authservice.audit.AuditEvent;
import io.authservice.audit.AuditEventTypes;
import io.authservice.audit.AuditWireFormat;
import io.authservice.auditconsumer.testing.TestConfigs;
import io.dropwizard.testing.junit5.DropwizardAppExtension;
import io.dropwizard.testing.junit5.DropwizardExtensionsSupport;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * An event that decodes but that PostgreSQL refuses (here a time past its range) must not hold up
 * its partition: it becomes a dead letter of its own, and the events around it, in the same batch,
 * the same version 2 record or after it, are stored. Each test has its own record key.
 */
@ExtendWith(DropwizardExtensionsSupport.class)
class AuditConsumerRefusedEventPostgresTest {
    private static final AuditConsumerApplicationContract.Setup SETUP =
            AuditConsumerApplicationContract.Setup.start(dir -> TestConfigs.Store.postgres());
    private static final DropwizardAppExtension<AuditConsumerConfiguration> APP = SETUP.app();
    private static final String TOPIC = SETUP.topic();

    @Test
    void anEventTheStoreRefusesBecomesADeadLetterAndTheRestOfItsBatchIsStored() throws Exception {
        final long records = metrics().meter("audit-consumer.records").getCount();
        final long letters = metrics().counter("audit-consumer.dead-letters").getCount();
        final List<AuditEvent> before = AuditConsumerApplicationContract.events(10, 7);
        final List<AuditEvent> after = AuditConsumerApplicationContract.events(10, 7);
        final AuditEvent refused = unstorable(7);
        final byte[] refusedBytes = AuditWireFormat.encode(refused);
        final RecordMetadata refusedAt;
        try (KafkaProducer<String, byte[]> producer = producer()) {
            before.forEach(e -> producer.send(new ProducerRecord<>(TOPIC, "key:7", AuditWireFormat.encode(e))));
            refusedAt = producer.send(new ProducerRecord<>(TOPIC, "key:7", refusedBytes)).get();
            after.forEach(e -> producer.send(new ProducerRecord<>(TOPIC, "key:7", AuditWireFormat.encode(e))));
            producer.flush();
        }

        final Jdbi jdbi = SETUP.store().jdbi();
        await().atMost(Duration.ofSeconds(60)).until(() -> storedWithKey(jdbi, 7) == 20
                && metrics().counter("audit-consumer.dead-letters").getCount() == letters + 1
                && metrics().meter("audit-consumer.records").getCount() == records + 21);
        assertThat(deadLetters(jdbi, "key:7")).singleElement().satisfies(letter -> {
            assertThat(((Number) letter.get("record_offset")).longValue()).isEqualTo(refusedAt.offset());
            assertThat(((Number) letter.get("event_index")).intValue()).isZero();
            assertThat((byte[]) letter.get("payload")).isEqualTo(refusedBytes);
            assertThat((String) letter.get("error")).startsWith("not storable: 22");
        });
        assertThat(stored(jdbi, refused.id())).isZero();
    }

    @Test
    void version2RecordsAreStoredEventByEventAndOneRefusedEventOrOneUnreadableRecordIsItsOwnDeadLetter() throws Exception {
        final long events = metrics().meter("audit-consumer.events").getCount();
        final long records = metrics().meter("audit-consumer.records").getCount();
        // a batch with an event PostgreSQL refuses in the middle of four it takes
        final List<AuditEvent> mixed = new ArrayList<>(AuditConsumerApplicationContract.events(4, 8));
        final AuditEvent refused = unstorable(8);
        mixed.add(2, refused);
        // a batch whose second element is not an event: nothing of it is stored, it is kept whole
        final AuditEvent inUnreadable = AuditConsumerApplicationContract.events(1, 8).get(0);
        final byte[] unreadable = AuditWireFormat.encodeBatch(List.of(AuditWireFormat.encode(inUnreadable),
                "{\"v\":1,\"id\":\"not-a-uuid\"}".getBytes(StandardCharsets.UTF_8)));
        final List<AuditEvent> single = AuditConsumerApplicationContract.events(3, 8);
        final List<AuditEvent> large = AuditConsumerApplicationContract.events(50, 8);
        final RecordMetadata mixedAt;
        final RecordMetadata unreadableAt;
        try (KafkaProducer<String, byte[]> producer = producer()) {
            mixedAt = producer.send(new ProducerRecord<>(TOPIC, "key:8", batch(mixed))).get();
            unreadableAt = producer.send(new ProducerRecord<>(TOPIC, "key:8", unreadable)).get();
            single.forEach(e -> producer.send(new ProducerRecord<>(TOPIC, "key:8", AuditWireFormat.encode(e))));
            producer.send(new ProducerRecord<>(TOPIC, "key:8", batch(large))).get();
        }

        final Jdbi jdbi = SETUP.store().jdbi();
        await().atMost(Duration.ofSeconds(60)).until(() -> storedWithKey(jdbi, 8) == 4 + 3 + 50
                && deadLetters(jdbi, "key:8").size() == 2 && metrics().meter("audit-consumer.records").getCount() == records + 6);
        assertThat(metrics().meter("audit-consumer.events").getCount()).isEqualTo(events + 4 + 3 + 50);
        final List<UUID> expected = new ArrayList<>();
        mixed.stream().filter(e -> e != refused).forEach(e -> expected.add(e.id()));
        single.forEach(e -> expected.add(e.id()));
        large.forEach(e -> expected.add(e.id()));
        final List<UUID> ids = jdbi.withHandle(h -> h.createQuery("SELECT id FROM audit_events WHERE key_id = 8")
                .mapTo(UUID.class).list());
        assertThat(ids).containsExactlyInAnyOrderElementsOf(expected);

        final List<Map<String, Object>> letters = deadLetters(jdbi, "key:8");
        assertThat(letters.get(0)).satisfies(letter -> {
            assertThat(((Number) letter.get("record_offset")).longValue()).isEqualTo(mixedAt.offset());
            assertThat(((Number) letter.get("event_index")).intValue()).isEqualTo(2);
            assertThat((byte[]) letter.get("payload")).isEqualTo(AuditWireFormat.encode(refused));
            assertThat((String) letter.get("error")).startsWith("not storable: 22");
        });
        assertThat(letters.get(1)).satisfies(letter -> {
            assertThat(((Number) letter.get("record_offset")).longValue()).isEqualTo(unreadableAt.offset());
            assertThat(((Number) letter.get("event_index")).intValue()).isZero();
            assertThat((byte[]) letter.get("payload")).isEqualTo(unreadable);
            assertThat((String) letter.get("error")).startsWith("event 1 of the batch: not an audit event");
        });
        assertThat(stored(jdbi, inUnreadable.id())).isZero();
    }

    private static MetricRegistry metrics() {
        return APP.getEnvironment().metrics();
    }

    private static KafkaProducer<String, byte[]> producer() {
        return new KafkaProducer<>(Map.of("bootstrap.servers", SETUP.kafka().bootstrapServers(), "linger.ms", 50),
                new StringSerializer(), new ByteArraySerializer());
    }

    private static byte[] batch(List<AuditEvent> events) {
        return AuditWireFormat.encodeBatch(events.stream().map(AuditWireFormat::encode).toList());
    }

    /** An event PostgreSQL refuses: its time is past the range of timestamptz. */
    private static AuditEvent unstorable(long keyId) {
        return new AuditEvent(UUID.randomUUID(), Instant.parse("+300000-01-01T00:00:00Z"), AuditEventTypes.API_KEY_USED,
                AuditEvent.SUCCESS, null, keyId, "k" + keyId, "abcd1234", null, null, null, null, null, 200, null, null,
                null, null, null);
    }

    private static long storedWithKey(Jdbi jdbi, long keyId) {
        return jdbi.withHandle(h -> h.createQuery("SELECT COUNT(*) FROM audit_events WHERE key_id = :k")
                .bind("k", keyId).mapTo(Long.class).one());
    }

    private static long stored(Jdbi jdbi, UUID id) {
        return jdbi.withHandle(h -> h.createQuery("SELECT COUNT(*) FROM audit_events WHERE id = :id")
                .bind("id", id).mapTo(Long.class).one());
    }

    private static List<Map<String, Object>> deadLetters(Jdbi jdbi, String key) {
        return jdbi.withHandle(h -> h.createQuery("SELECT record_offset, event_index, payload, error FROM audit_dead_letters"
                + " WHERE record_key = :key ORDER BY record_offset, event_index").bind("key", key).mapToMap().list());
    }
}
