package io.authservice.alerts;

import io.authservice.audit.alert.AlertConfig;
import io.authservice.audit.alert.AlertDestination;
import io.authservice.audit.alert.WebhookSignatures;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * Produces each alert to a Kafka topic ({@code auth.alerts} by default): keyed by the alert id, the same
 * JSON as the webhooks get, the id also in an {@code Idempotency-Key} header. Taken once the brokers
 * acknowledge it (acks=all); the delivery worker waits at most the delivery timeout.
 */
public final class KafkaAlertDestination implements AlertDestination, AutoCloseable {
    public static final String NAME = "kafka";

    private final KafkaProducer<String, String> producer;
    private final String topic;
    private final Duration timeout;

    public KafkaAlertDestination(AlertConfig.Kafka config, Duration timeout, String clientId) {
        final Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, config.getBootstrapServers());
        props.put(ProducerConfig.CLIENT_ID_CONFIG, clientId);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, timeout.toMillis());
        props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) timeout.toMillis());
        props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) timeout.toMillis() * 2);
        this.producer = new KafkaProducer<>(props, new StringSerializer(), new StringSerializer());
        this.topic = config.getTopic();
        this.timeout = timeout;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public void send(UUID id, String body) throws Exception {
        final ProducerRecord<String, String> record = new ProducerRecord<>(topic, id.toString(), body);
        record.headers().add(WebhookSignatures.IDEMPOTENCY_HEADER, id.toString().getBytes(StandardCharsets.UTF_8));
        // the delivery worker's own thread, never a request's: it may wait for the acknowledgement
        producer.send(record).get(timeout.toMillis() * 2, TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() {
        producer.close(timeout);
    }
}
