package io.authservice.auditing;

import com.codahale.metrics.Counter;
import com.codahale.metrics.Gauge;
import com.codahale.metrics.MetricRegistry;
import com.codahale.metrics.health.HealthCheck;
import io.authservice.audit.AuditEvent;
import io.authservice.audit.AuditWireFormat;
import io.authservice.config.KafkaSinkConfig;
import io.dropwizard.lifecycle.Managed;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * The {@code kafka} sink. A request thread only enqueues (or, when the queue is full, appends to the
 * disk spool). One publisher thread sends the queue to Kafka; an event Kafka does not take (send
 * fails, times out, or Kafka is known to be down) goes to the spool, and while the spool holds
 * anything new events go behind it, so one key's events keep their order. Every
 * {@code retryInterval} the publisher replays the spool, oldest first; when it is empty, events go
 * straight to Kafka again. Replay is at-least-once; the store keeps each event id once.
 *
 * <p>Metrics: {@code audit.published}, {@code audit.spooled}, {@code audit.replayed},
 * {@code audit.dropped} (only when the spool itself cannot take an event), {@code audit.queue-depth},
 * {@code audit.spool-bytes}.
 */
public final class KafkaAuditSink implements AuditRecorder, Managed {
    private static final Logger LOG = LoggerFactory.getLogger(KafkaAuditSink.class);
    private static final int BATCH = 500;
    private static final long POLL_MILLIS = 50;

    private final String topic;
    private final Producer<String, byte[]> producer;
    private final AuditSpool spool;
    private final BlockingQueue<AuditEvent> queue;
    private final ConcurrentLinkedQueue<AuditEvent> failed = new ConcurrentLinkedQueue<>();
    private final Duration retryInterval;
    private final Duration ackTimeout;
    private final Duration closeTimeout;
    private final long healthThreshold;
    private final Clock clock;
    private final Counter published;
    private final Counter spooled;
    private final Counter replayed;
    private final Counter dropped;
    private volatile boolean running;
    private volatile boolean kafkaUp = true;
    private volatile boolean spoolFailing;
    private Thread publisher;

    public KafkaAuditSink(KafkaSinkConfig config, Producer<String, byte[]> producer, AuditSpool spool, int queueCapacity,
                          Duration closeTimeout, Clock clock, MetricRegistry metrics) {
        this.topic = config.getTopic();
        this.producer = producer;
        this.spool = spool;
        this.queue = new ArrayBlockingQueue<>(queueCapacity);
        this.retryInterval = config.getRetryInterval().toJavaDuration();
        this.ackTimeout = config.getDeliveryTimeout().toJavaDuration().plusSeconds(5);
        this.closeTimeout = closeTimeout;
        this.healthThreshold = config.getSpoolHealthThreshold().toBytes();
        this.clock = clock;
        this.published = metrics.counter("audit.published");
        this.spooled = metrics.counter("audit.spooled");
        this.replayed = metrics.counter("audit.replayed");
        this.dropped = metrics.counter("audit.dropped");
        metrics.register("audit.queue-depth", (Gauge<Integer>) queue::size);
        metrics.register("audit.spool-bytes", (Gauge<Long>) spool::bytes);
    }

    /**
     * The producer settings: idempotent, {@code acks=all}, compressed, batched, and bounded in how
     * long {@code send()} may block and a record may wait; {@code producer:} entries override them.
     */
    public static Map<String, Object> producerProperties(KafkaSinkConfig config, String clientId) {
        final Map<String, Object> props = new java.util.HashMap<>();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, config.getBootstrapServers());
        props.put(ProducerConfig.CLIENT_ID_CONFIG, clientId);
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, config.getCompression());
        props.put(ProducerConfig.LINGER_MS_CONFIG, (int) config.getLinger().toMilliseconds());
        props.put(ProducerConfig.BATCH_SIZE_CONFIG, 64 * 1024);
        props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, config.getMaxBlock().toMilliseconds());
        props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) config.getDeliveryTimeout().toMilliseconds());
        props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) config.getRequestTimeout().toMilliseconds());
        props.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 5);
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, org.apache.kafka.common.serialization.StringSerializer.class);
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, org.apache.kafka.common.serialization.ByteArraySerializer.class);
        props.putAll(config.getProducer());
        return props;
    }

    @Override
    public void record(AuditEvent event) {
        if (!queue.offer(event)) {
            spoolOrDrop(List.of(event));
        }
    }

    @Override
    public boolean canRecord() {
        return !spoolFailing;
    }

    public long dropped() {
        return dropped.getCount();
    }

    public long spooled() {
        return spooled.getCount();
    }

    public boolean kafkaUp() {
        return kafkaUp;
    }

    @Override
    public synchronized void start() {
        running = true;
        publisher = new Thread(this::run, "audit-kafka-publisher");
        publisher.setDaemon(true);
        publisher.start();
    }

    @Override
    public synchronized void stop() throws Exception {
        running = false;
        publisher.join(closeTimeout.toMillis());
        if (publisher.isAlive()) {
            publisher.interrupt();
            publisher.join(closeTimeout.toMillis());
        }
        // records still in flight fail on close and land in the spool, replayed on the next start
        producer.close(closeTimeout);
        final List<AuditEvent> left = new ArrayList<>(failed);
        failed.clear();
        queue.drainTo(left);
        if (!left.isEmpty()) {
            spoolOrDrop(left);
        }
        spool.close();
    }

    /** Healthy while Kafka takes events and the spool's backlog is under the threshold. */
    public HealthCheck healthCheck() {
        return new HealthCheck() {
            @Override
            protected Result check() {
                final long backlog = spool.bytes();
                if (!kafkaUp) {
                    return Result.unhealthy("Kafka is not taking audit events; " + backlog + " bytes spooled");
                }
                if (backlog > healthThreshold) {
                    return Result.unhealthy(backlog + " bytes of audit events wait in the spool (threshold "
                            + healthThreshold + ")");
                }
                return Result.healthy(backlog == 0 ? "publishing" : backlog + " bytes spooled, replaying");
            }
        };
    }

    private void run() {
        final List<AuditEvent> batch = new ArrayList<>(BATCH);
        long nextReplay = 0;
        while (running || !queue.isEmpty()) {
            try {
                final AuditEvent first = queue.poll(POLL_MILLIS, TimeUnit.MILLISECONDS);
                if (first != null) {
                    batch.add(first);
                    queue.drainTo(batch, BATCH - 1);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                queue.drainTo(batch);
                spoolOrDrop(batch);
                return;
            }
            spoolFailed();
            if (!batch.isEmpty()) {
                if (kafkaUp && spool.isEmpty()) {
                    sendLive(batch);
                } else {
                    spoolOrDrop(batch);
                }
                batch.clear();
            }
            final long now = clock.millis();
            if (!spool.isEmpty() && now >= nextReplay && running) {
                nextReplay = replay() ? now : now + retryInterval.toMillis();
            }
        }
        spoolFailed();
    }

    private void sendLive(List<AuditEvent> batch) {
        for (AuditEvent event : batch) {
            try {
                producer.send(AuditRecords.toRecord(topic, event), (metadata, e) -> {
                    if (e == null) {
                        published.inc();
                    } else {
                        if (kafkaUp) {
                            LOG.warn("Kafka did not take audit event {}; spooling from now on: {}", event.id(), e.toString());
                        }
                        kafkaUp = false;
                        failed.add(event);
                    }
                });
            } catch (RuntimeException e) {
                LOG.warn("cannot send audit event {}; spooling from now on: {}", event.id(), e.toString());
                kafkaUp = false;
                failed.add(event);
            }
        }
    }

    private void spoolFailed() {
        if (failed.isEmpty()) {
            return;
        }
        final List<AuditEvent> events = new ArrayList<>();
        for (AuditEvent e; (e = failed.poll()) != null; ) {
            events.add(e);
        }
        spoolOrDrop(events);
    }

    private void spoolOrDrop(List<AuditEvent> events) {
        if (events.isEmpty()) {
            return;
        }
        try {
            spool.append(events.stream().map(AuditWireFormat::encode).toList());
            spooled.inc(events.size());
            spoolFailing = false;
        } catch (IOException | RuntimeException e) {
            spoolFailing = true;
            dropped.inc(events.size());
            for (AuditEvent event : events) {
                LOG.error("audit event {} ({}) dropped: neither Kafka nor the spool took it: {}", event.id(), event.type(),
                        e.toString());
            }
        }
    }

    /**
     * Sends the spool to Kafka, oldest first, one chunk at a time, waiting for each chunk's
     * acknowledgements before noting it replayed. While Kafka is thought down, the first chunk is a
     * single record, a probe. Returns whether the spool was emptied as far as it was sealed.
     */
    private boolean replay() {
        try {
            for (Path segment : spool.seal()) {
                while (running) {
                    final AuditSpool.Chunk chunk = spool.read(segment, kafkaUp ? BATCH : 1);
                    if (chunk.records().isEmpty()) {
                        spool.replayed(chunk);
                        break;
                    }
                    final List<Future<RecordMetadata>> acks = new ArrayList<>(chunk.records().size());
                    for (byte[] bytes : chunk.records()) {
                        final AuditEvent event;
                        try {
                            event = AuditWireFormat.decode(bytes);
                        } catch (AuditWireFormat.MalformedAuditEventException e) {
                            dropped.inc();
                            LOG.error("a spooled audit record cannot be read and is dropped: {}", e.getMessage());
                            continue;
                        }
                        acks.add(producer.send(AuditRecords.toRecord(topic, event)));
                    }
                    for (Future<RecordMetadata> ack : acks) {
                        ack.get(ackTimeout.toMillis(), TimeUnit.MILLISECONDS);
                    }
                    spool.replayed(chunk);
                    spoolFailing = false;
                    replayed.inc(acks.size());
                    if (!kafkaUp) {
                        LOG.info("Kafka takes audit events again; replaying the spool");
                        kafkaUp = true;
                    }
                }
            }
            return running;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (Exception e) {
            kafkaUp = false;
            LOG.debug("spool replay stopped: {}", e.toString());
            return false;
        }
    }
}
