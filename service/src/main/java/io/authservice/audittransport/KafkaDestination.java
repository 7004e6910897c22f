package io.authservice.audittransport;

import io.authservice.config.KafkaSinkConfig;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * The {@code kafka} sink's destination: a batch of journaled events, grouped by record key (in
 * order within each key), as v2 records ({@link KafkaAuditRecords}); it returns once Kafka acknowledged
 * every record and throws if any was not, for the shipper to retry the whole batch (the store
 * keeps each event id once). One key's events stay in order: the journal is in order, one key's
 * records go to one partition in send order, and a batch is sent only after the one before it was
 * acknowledged.
 */
public final class KafkaDestination implements AuditShipper.Destination {
    /** Beyond the delivery timeout, how long to wait for an acknowledgement the producer owes. */
    private static final long ACK_MARGIN_MILLIS = 5_000;

    private final Producer<String, byte[]> producer;
    private final String topic;
    private final long ackTimeoutMillis;

    public KafkaDestination(Producer<String, byte[]> producer, KafkaSinkConfig config) {
        this.producer = producer;
        this.topic = config.getTopic();
        this.ackTimeoutMillis = config.getDeliveryTimeout().toMilliseconds() + ACK_MARGIN_MILLIS;
    }

    /**
     * The producer settings: idempotent, {@code acks=all}, compressed, and bounded in how long
     * {@code send()} may block and a record may wait; {@code producer:} entries override them.
     */
    public static Map<String, Object> producerProperties(KafkaSinkConfig config, String clientId) {
        final Map<String, Object> props = new HashMap<>();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, config.getBootstrapServers());
        props.put(ProducerConfig.CLIENT_ID_CONFIG, clientId);
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, config.getCompression());
        props.put(ProducerConfig.BATCH_SIZE_CONFIG, 512 * 1024);
        props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, config.getMaxBlock().toMilliseconds());
        props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) config.getDeliveryTimeout().toMilliseconds());
        props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) config.getRequestTimeout().toMilliseconds());
        props.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 5);
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        props.putAll(config.getProducer());
        return props;
    }

    @Override
    public void ship(List<AuditJournal.Entry> batch) throws Exception {
        final Map<String, List<byte[]>> byKey = new LinkedHashMap<>();
        for (AuditJournal.Entry entry : batch) {
            byKey.computeIfAbsent(JournalPayload.key(entry.payload()), k -> new ArrayList<>())
                    .add(JournalPayload.event(entry.payload()));
        }
        final List<Future<RecordMetadata>> acks = new ArrayList<>();
        for (Map.Entry<String, List<byte[]>> group : byKey.entrySet()) {
            for (ProducerRecord<String, byte[]> record : KafkaAuditRecords.toRecords(topic, group.getKey(), group.getValue())) {
                final Future<RecordMetadata> ack = producer.send(record);
                if (ack.isDone()) {
                    ack.get();  // failed at once (no metadata within maxBlock): the rest would wait as long each
                }
                acks.add(ack);
            }
        }
        producer.flush();  // the shipper has batched already: no linger
        final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(ackTimeoutMillis);
        for (Future<RecordMetadata> ack : acks) {
            ack.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        }
    }

    @Override
    public void close(Duration timeout) {
        producer.close(timeout);
    }
}
