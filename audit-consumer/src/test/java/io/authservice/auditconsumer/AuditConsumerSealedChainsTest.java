package io.authservice.auditconsumer;

import io.authservice.audit.AuditEvent;
import io.authservice.audit.AuditWireFormat;
import io.authservice.audit.seal.SealKeys;
import io.authservice.audit.seal.SealedStores;
import io.authservice.audit.seal.TrailFinding;
import io.authservice.audit.seal.TrailVerification;
import io.authservice.audit.seal.TrailVerifier;
import io.authservice.audit.testing.TestKafka;
import io.authservice.auditconsumer.testing.FixedClockAuditConsumer;
import io.authservice.auditconsumer.testing.TestConfigs;
import io.dropwizard.testing.DropwizardTestSupport;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The real consumer and broker, on H2 and PostgreSQL: each partition's batches are sealed in a chain
 * of its own, both chains verify, and an event deleted from one is named in that chain.
 */
class AuditConsumerSealedChainsTest {
    private static final String TOPIC = "audit-seal-test";

    static Stream<Named<Function<Path, TestConfigs.Store>>> stores() {
        return Stream.of(Named.of("H2", TestConfigs.Store::h2), Named.of("PostgreSQL", dir -> TestConfigs.Store.postgres()));
    }

    @ParameterizedTest
    @MethodSource("stores")
    void twoPartitionsKeepSeparateSealedChainsThatBothVerify(Function<Path, TestConfigs.Store> storeIn) throws Exception {
        final String topic = TestKafka.uniqueTopic(TOPIC);
        try (TestKafka kafka = TestKafka.shared().createTopic(topic, 2)) {  // the shared broker: close() leaves it running
            final Path dir = TestConfigs.tempDir();
            final TestConfigs.Store store = storeIn.apply(dir);
            final DropwizardTestSupport<AuditConsumerConfiguration> app = new DropwizardTestSupport<>(FixedClockAuditConsumer.class,
                    TestConfigs.write(dir, store, kafka.bootstrapServers(), topic, "seal-test"));
            app.before();
            try {
                final List<AuditEvent> first = AuditConsumerApplicationContract.events(30, 11);
                final List<AuditEvent> second = AuditConsumerApplicationContract.events(30, 12);
                try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of("bootstrap.servers", kafka.bootstrapServers()),
                        new StringSerializer(), new ByteArraySerializer())) {
                    for (int i = 0; i < first.size(); i++) {
                        producer.send(new ProducerRecord<>(topic, 0, "key:11", AuditWireFormat.encode(first.get(i))));
                        producer.send(new ProducerRecord<>(topic, 1, "key:12", AuditWireFormat.encode(second.get(i))));
                    }
                    producer.flush();
                }
                final Jdbi jdbi = store.jdbi();
                final String chain0 = SealedStores.kafkaChain(topic, 0);
                final String chain1 = SealedStores.kafkaChain(topic, 1);
                await().atMost(Duration.ofSeconds(60)).until(() -> sealedEvents(jdbi, chain0) == 30 && sealedEvents(jdbi, chain1) == 30);

                final SealKeys keys = SealKeys.load(app.getConfiguration().getSeal());
                final TrailVerifier verifier = new TrailVerifier(jdbi, keys.trusted());
                final TrailVerification clean = verifier.verify(null, null);

                assertThat(clean.findings()).isEmpty();
                assertThat(clean.chains()).isEqualTo(2);
                assertThat(clean.events()).isEqualTo(60);

                final AuditEvent deleted = second.get(7);
                jdbi.useHandle(h -> h.execute("DELETE FROM audit_events WHERE id = ?", deleted.id()));
                assertThat(verifier.verify(null, null).findings()).singleElement().satisfies(finding -> {
                    assertThat(finding.kind()).isEqualTo(TrailFinding.Kind.EVENT_DELETED);
                    assertThat(finding.chain()).isEqualTo(chain1);
                    assertThat(finding.eventId()).isEqualTo(deleted.id());
                });
            } finally {
                app.after();
            }
        }
    }

    private static long sealedEvents(Jdbi jdbi, String chain) {
        return jdbi.withHandle(h -> h.createQuery("SELECT COALESCE(SUM(event_count), 0) FROM audit_seals WHERE chain_id = :chain")
                .bind("chain", chain).mapTo(Long.class).one());
    }
}
