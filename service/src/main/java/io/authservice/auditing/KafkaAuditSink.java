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
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The {@code kafka} sink. A request thread only enqueues; one publisher thread sends the queue to
 * Kafka, every 10 ms or as soon as a batch of 500 waits. An event Kafka does not take goes to the
 * disk spool, and every {@code retryInterval} the publisher replays the spool, oldest first; when it
 * is empty, events go straight to Kafka again. Replay is at-least-once; the store keeps each event
 * id once.
 *
 * <p>One key's events keep their order in Kafka through an outage, because the spool always holds
 * events in the order they were recorded:
 * <ul>
 *   <li>While it sends live, the publisher holds a spool segment reserved ahead of anything spooled
 *       later ({@link AuditSpool#reserve()}). Once a send fails, it sends nothing more live and
 *       waits (at most the delivery timeout and 5 s) until every record in flight is resolved; then
 *       it spools the records from the first unacknowledged one on, successes after a failure
 *       included, in send order, into the reserved segment. Newer events meanwhile go to the spool
 *       behind it. The spool is not replayed while records are in flight.</li>
 *   <li>When the queue is full, the request thread spools the whole queue and then its own event,
 *       under the same ordering lock the publisher takes to spool a batch it has just dequeued, so
 *       it never overtakes a queued event. A request then waits for a local disk write, never for
 *       Kafka.</li>
 *   <li>{@link #stop()} closes the producer (with {@code shutdownTimeout}), spools what was still in
 *       flight into the reserved segment and what was still queued behind it; the next start
 *       replays them.</li>
 * </ul>
 *
 * <p>Metrics: {@code audit.published}, {@code audit.spooled}, {@code audit.replayed},
 * {@code audit.dropped} (only when the spool itself cannot take an event), {@code audit.queue-depth},
 * {@code audit.spool-bytes}.
 */
public final class KafkaAuditSink implements AuditRecorder, Managed {
    private static final Logger LOG = LoggerFactory.getLogger(KafkaAuditSink.class);
    private static final int BATCH = 500;
    /**
     * How long the publisher collects events before it sends them. Request threads wake it only
     * when a whole batch waits, so that a request never pays for waking another thread.
     */
    private static final long POLL_MILLIS = 10;
    private static final long NO_RESERVATION = -1;

    private final String topic;
    private final Producer<String, byte[]> producer;
    private final AuditSpool spool;
    private final int queueCapacity;
    private final Deque<AuditEvent> queue = new ArrayDeque<>();
    /** Guards {@link #queue}; taken before {@link #spoolOrder}, never after. */
    private final ReentrantLock queueLock = new ReentrantLock();
    private final Condition notEmpty = queueLock.newCondition();
    /** Taken while holding {@link #queueLock}, so appends of dequeued events reach the spool in queue order. */
    private final ReentrantLock spoolOrder = new ReentrantLock();
    /** Records sent live and not yet known delivered, in send order; the publisher's alone. */
    private final Deque<Sent> inFlight = new ArrayDeque<>();
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
    private volatile boolean sendFailed;
    private volatile boolean spoolFailing;
    private long reservation = NO_RESERVATION;
    private Thread publisher;

    /** One record sent live; its callback (on the producer's thread) resolves it. */
    private static final class Sent {
        static final int PENDING = 0;
        static final int ACKED = 1;
        static final int FAILED = 2;

        final AuditEvent event;
        final long sentAt;
        volatile int state;

        Sent(AuditEvent event, long sentAt) {
            this.event = event;
            this.sentAt = sentAt;
        }
    }

    public KafkaAuditSink(KafkaSinkConfig config, Producer<String, byte[]> producer, AuditSpool spool, int queueCapacity,
                          Duration closeTimeout, Clock clock, MetricRegistry metrics) {
        this.topic = config.getTopic();
        this.producer = producer;
        this.spool = spool;
        this.queueCapacity = queueCapacity;
        this.retryInterval = config.getRetryInterval().toJavaDuration();
        this.ackTimeout = config.getDeliveryTimeout().toJavaDuration().plusSeconds(5);
        this.closeTimeout = closeTimeout;
        this.healthThreshold = config.getSpoolHealthThreshold().toBytes();
        this.clock = clock;
        this.published = metrics.counter("audit.published");
        this.spooled = metrics.counter("audit.spooled");
        this.replayed = metrics.counter("audit.replayed");
        this.dropped = metrics.counter("audit.dropped");
        metrics.register("audit.queue-depth", (Gauge<Integer>) this::queueDepth);
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
        final List<AuditEvent> overflow;
        queueLock.lock();
        try {
            if (queue.size() < queueCapacity) {
                queue.addLast(event);
                if (queue.size() == BATCH) {
                    notEmpty.signal();  // a full batch: no need to wait for the publisher's next round
                }
                return;
            }
            overflow = new ArrayList<>(queue);
            overflow.add(event);
            queue.clear();
            spoolOrder.lock();
        } finally {
            queueLock.unlock();
        }
        try {
            spoolOrDrop(overflow);
        } finally {
            spoolOrder.unlock();
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
        // records still in flight are delivered or fail on close; what did not surely arrive is spooled
        // ahead of what is still queued, and replayed on the next start
        producer.close(closeTimeout);
        settle(true);
        final List<AuditEvent> left;
        queueLock.lock();
        try {
            left = new ArrayList<>(queue);
            queue.clear();
            spoolOrder.lock();
        } finally {
            queueLock.unlock();
        }
        try {
            spoolOrDrop(left);
        } finally {
            spoolOrder.unlock();
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
        long nextReplay = 0;
        try {
            while (running || queueDepth() > 0) {
                settle(false);
                final List<AuditEvent> live = nextLiveBatch();
                if (!live.isEmpty()) {
                    sendLive(live);
                }
                final long now = clock.millis();
                if (running && inFlight.isEmpty() && !spool.isEmpty() && now >= nextReplay) {
                    nextReplay = replay() ? now : now + retryInterval.toMillis();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();  // stop() spools what is left
        }
    }

    private int queueDepth() {
        queueLock.lock();
        try {
            return queue.size();
        } finally {
            queueLock.unlock();
        }
    }

    /**
     * Dequeues the next batch (waiting briefly for one) and returns it if it may go to Kafka live:
     * Kafka is up, no send has failed and the spool is empty. Otherwise spools it, in queue order
     * behind anything a request thread spooled, and returns nothing.
     */
    private List<AuditEvent> nextLiveBatch() throws InterruptedException {
        final List<AuditEvent> batch = new ArrayList<>();
        queueLock.lock();
        try {
            if (queue.size() < BATCH && running) {
                notEmpty.await(POLL_MILLIS, TimeUnit.MILLISECONDS);
            }
            for (AuditEvent e; batch.size() < BATCH && (e = queue.pollFirst()) != null; ) {
                batch.add(e);
            }
            if (batch.isEmpty() || mayGoLive()) {
                return batch;
            }
            spoolOrder.lock();
        } finally {
            queueLock.unlock();
        }
        try {
            spoolOrDrop(batch);
        } finally {
            spoolOrder.unlock();
        }
        return List.of();
    }

    /** With the queue locked, so no request thread spools meanwhile. */
    private boolean mayGoLive() {
        if (!kafkaUp || sendFailed || !spool.isEmpty()) {
            return false;
        }
        if (reservation == NO_RESERVATION) {
            try {
                reservation = spool.reserve();
            } catch (IOException e) {
                LOG.warn("cannot reserve a place in the audit spool; spooling instead of sending: {}", e.toString());
                return false;
            }
        }
        return true;
    }

    private void sendLive(List<AuditEvent> batch) {
        for (AuditEvent event : batch) {
            final Sent sent = new Sent(event, clock.millis());
            inFlight.addLast(sent);
            if (sendFailed) {
                sent.state = Sent.FAILED;  // an earlier send of this batch failed: keep the rest behind it
                continue;
            }
            try {
                producer.send(AuditRecords.toRecord(topic, event), (metadata, e) -> {
                    if (e == null) {
                        sent.state = Sent.ACKED;
                        published.inc();
                    } else {
                        sent.state = Sent.FAILED;
                        failed(event, e);
                    }
                });
            } catch (RuntimeException e) {
                sent.state = Sent.FAILED;
                failed(event, e);
            }
        }
    }

    private void failed(AuditEvent event, Exception e) {
        if (kafkaUp) {
            LOG.warn("Kafka did not take audit event {}; spooling from now on: {}", event.id(), e.toString());
        }
        kafkaUp = false;
        sendFailed = true;
    }

    /**
     * Forgets records delivered at the head of the in-flight list. After a failure, once every record
     * in flight is resolved (or the oldest has waited past the acknowledgement timeout, or
     * {@code force}), spools all of them from the first undelivered one on, in send order, into the
     * reserved segment, ahead of everything spooled since.
     */
    private void settle(boolean force) {
        while (!inFlight.isEmpty() && inFlight.peekFirst().state == Sent.ACKED) {
            inFlight.removeFirst();
        }
        if (inFlight.isEmpty() || !(sendFailed || force)) {
            return;
        }
        final boolean resolved = inFlight.stream().noneMatch(s -> s.state == Sent.PENDING);
        final boolean overdue = clock.millis() - inFlight.peekFirst().sentAt > ackTimeout.toMillis();
        if (!resolved && !overdue && !force) {
            return;
        }
        final List<AuditEvent> events = inFlight.stream().map(s -> s.event).toList();
        inFlight.clear();
        try {
            final List<byte[]> payloads = events.stream().map(AuditWireFormat::encode).toList();
            if (reservation == NO_RESERVATION) {
                spool.append(payloads);
            } else {
                spool.append(reservation, payloads);
            }
            spooled.inc(events.size());
            spoolFailing = false;
        } catch (IOException | RuntimeException e) {
            spoolFailing = true;
            dropAll(events, e);
        }
        reservation = NO_RESERVATION;
        sendFailed = false;
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
            dropAll(events, e);
        }
    }

    private void dropAll(List<AuditEvent> events, Exception e) {
        dropped.inc(events.size());
        for (AuditEvent event : events) {
            LOG.error("audit event {} ({}) dropped: neither Kafka nor the spool took it: {}", event.id(), event.type(),
                    e.toString());
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
