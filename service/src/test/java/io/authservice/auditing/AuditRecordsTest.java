package io.authservice.auditing;

import io.authservice.audit.AuditEvent;
import io.authservice.audit.AuditEventTypes;
import io.authservice.audit.AuditWireFormat;
import io.authservice.config.KafkaSinkConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class AuditRecordsTest {
    @Test
    void theRecordIsKeyedByKeyThenUserAndCarriesTheWireForm() {
        final AuditEvent keyed = AuditEvent.builder(AuditEventTypes.API_KEY_USED, AuditEvent.SUCCESS, Instant.EPOCH)
                .key(7L, "tts", "abcd1234").userId(3L).build();
        final ProducerRecord<String, byte[]> record = AuditRecords.toRecord("audit", keyed);
        assertThat(record.topic()).isEqualTo("audit");
        assertThat(record.key()).isEqualTo("key:7");
        assertThat(record.partition()).isNull();
        assertThat(AuditWireFormat.decode(record.value())).isEqualTo(keyed);
        assertThat(new String(record.headers().lastHeader("v").value(), StandardCharsets.US_ASCII)).isEqualTo("1");
        assertThat(new String(record.headers().lastHeader("type").value(), StandardCharsets.UTF_8)).isEqualTo("api_key.used");

        assertThat(AuditRecords.toRecord("audit", AuditEvent.builder(AuditEventTypes.LOGIN_FAILED, AuditEvent.FAILURE,
                Instant.EPOCH).userId(3L).build()).key()).isEqualTo("user:3");
        assertThat(AuditRecords.toRecord("audit", AuditEvent.builder(AuditEventTypes.LOGIN_FAILED, AuditEvent.FAILURE,
                Instant.EPOCH).build()).key()).isNull();
    }

    @Test
    void theProducerIsIdempotentDurableCompressedAndBounded() {
        final Map<String, Object> props = KafkaAuditSink.producerProperties(new KafkaSinkConfig(), "auth-service-1");
        assertThat(props).containsEntry("bootstrap.servers", "localhost:9092")
                .containsEntry("enable.idempotence", true)
                .containsEntry("acks", "all")
                .containsEntry("compression.type", "lz4")
                .containsEntry("linger.ms", 20)
                .containsEntry("max.block.ms", 500L)
                .containsEntry("delivery.timeout.ms", 30_000)
                .containsEntry("request.timeout.ms", 10_000)
                .containsEntry("client.id", "auth-service-1");
    }
}
