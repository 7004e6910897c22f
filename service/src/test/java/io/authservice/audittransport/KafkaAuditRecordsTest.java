package io.authservice.audittransport;

import io.authservice.audit.AuditEvent;
import io.authservice.audit.AuditEventTypes;
import io.authservice.audit.AuditWireFormat;
import io.authservice.config.KafkaSinkConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

class KafkaAuditRecordsTest {
    private static AuditEvent use(int i) {
        return AuditEvent.builder(AuditEventTypes.API_KEY_USED, AuditEvent.SUCCESS, Instant.EPOCH.plusMillis(i))
                .key(7L, "tts", "abcd1234").build();
    }

    @Test
    void theRecordKeyIsTheKeyThenTheUserElseNone() {
        assertThat(KafkaAuditRecords.key(AuditEvent.builder(AuditEventTypes.API_KEY_USED, AuditEvent.SUCCESS, Instant.EPOCH)
                .key(7L, "tts", "abcd1234").userId(3L).build())).isEqualTo("key:7");
        assertThat(KafkaAuditRecords.key(AuditEvent.builder(AuditEventTypes.LOGIN_FAILED, AuditEvent.FAILURE, Instant.EPOCH)
                .userId(3L).build())).isEqualTo("user:3");
        assertThat(KafkaAuditRecords.key(AuditEvent.builder(AuditEventTypes.LOGIN_FAILED, AuditEvent.FAILURE, Instant.EPOCH)
                .build())).isNull();
    }

    @Test
    void oneKeysEventsBecomeV2RecordsOfAtMost500EventsInOrder() {
        final List<AuditEvent> events = IntStream.range(0, 1201).mapToObj(KafkaAuditRecordsTest::use).toList();
        final List<ProducerRecord<String, byte[]>> records = KafkaAuditRecords.toRecords("audit", "key:7",
                events.stream().map(AuditWireFormat::encode).toList());

        assertThat(records).hasSize(3);
        assertThat(records).allSatisfy(record -> {
            assertThat(record.topic()).isEqualTo("audit");
            assertThat(record.key()).isEqualTo("key:7");
            assertThat(record.partition()).isNull();
            assertThat(new String(record.headers().lastHeader("v").value(), StandardCharsets.US_ASCII)).isEqualTo("2");
        });
        assertThat(records.stream().map(r -> AuditWireFormat.decodeRecord(r.value()).size()).toList())
                .containsExactly(500, 500, 201);
        assertThat(records.stream().flatMap(r -> AuditWireFormat.decodeRecord(r.value()).stream()).toList())
                .containsExactlyElementsOf(events);
    }

    @Test
    void aRecordStaysWellUnderTheProducersRequestSize() {
        final AuditEvent large = AuditEvent.builder(AuditEventTypes.API_KEY_USED, AuditEvent.SUCCESS, Instant.EPOCH)
                .key(7L, "tts", "abcd1234").request("127.0.0.1", "u".repeat(8000), "GET", "/api/v1/whoami/").build();
        final List<byte[]> events = IntStream.range(0, 100).mapToObj(i -> AuditWireFormat.encode(large)).toList();
        final List<ProducerRecord<String, byte[]>> records = KafkaAuditRecords.toRecords("audit", null, events);

        assertThat(records).hasSizeGreaterThan(1);
        assertThat(records).allSatisfy(r -> assertThat(r.value().length).isLessThanOrEqualTo(KafkaAuditRecords.MAX_BYTES + 16));
        assertThat(records).allSatisfy(r -> assertThat(r.key()).isNull());
        assertThat(records.stream().mapToInt(r -> AuditWireFormat.decodeRecord(r.value()).size()).sum()).isEqualTo(100);
    }

    @Test
    void theProducerIsIdempotentDurableCompressedAndBounded() {
        final Map<String, Object> props = KafkaDestination.producerProperties(new KafkaSinkConfig(), "auth-service-1");
        assertThat(props).containsEntry("bootstrap.servers", "localhost:9092")
                .containsEntry("enable.idempotence", true)
                .containsEntry("acks", "all")
                .containsEntry("compression.type", "lz4")
                .containsEntry("max.block.ms", 500L)
                .containsEntry("delivery.timeout.ms", 30_000)
                .containsEntry("request.timeout.ms", 10_000)
                .containsEntry("client.id", "auth-service-1");
    }
}
