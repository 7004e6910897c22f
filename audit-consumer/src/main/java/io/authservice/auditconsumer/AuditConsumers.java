package io.authservice.auditconsumer;

import com.codahale.metrics.Counter;
import com.codahale.metrics.Gauge;
import com.codahale.metrics.Meter;
import com.codahale.metrics.MetricRegistry;
import com.codahale.metrics.Timer;
import io.authservice.audit.AuditStore;
import io.dropwizard.lifecycle.Managed;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The configured number of {@link AuditConsumerLoop}s, one thread each. Metrics:
 * {@code audit-consumer.records} (a meter: records/s), {@code audit-consumer.batches} (store write
 * latency), {@code audit-consumer.lag}, {@code audit-consumer.dead-letters}.
 */
public final class AuditConsumers implements Managed {
    private final ConsumerKafkaConfig config;
    private final AuditStore store;
    private final Clock clock;
    private final Meter records;
    private final Timer batches;
    private final Counter deadLetters;
    private final List<AuditConsumerLoop> loops = new ArrayList<>();
    private final List<Thread> threads = new ArrayList<>();

    public AuditConsumers(ConsumerKafkaConfig config, AuditStore store, Clock clock, MetricRegistry metrics) {
        this.config = config;
        this.store = store;
        this.clock = clock;
        this.records = metrics.meter("audit-consumer.records");
        this.batches = metrics.timer("audit-consumer.batches");
        this.deadLetters = metrics.counter("audit-consumer.dead-letters");
        metrics.register("audit-consumer.lag", (Gauge<Long>) this::lag);
    }

    /**
     * The consumer settings: the group, manual offset commits, earliest first, batched fetches;
     * {@code consumer:} entries override them.
     */
    public static Map<String, Object> consumerProperties(ConsumerKafkaConfig config, String clientId) {
        final Map<String, Object> props = new HashMap<>();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, config.getBootstrapServers());
        props.put(ConsumerConfig.GROUP_ID_CONFIG, config.getGroupId());
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, clientId);
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, config.getMaxPollRecords());
        props.put(ConsumerConfig.FETCH_MIN_BYTES_CONFIG, (int) Math.min(Integer.MAX_VALUE, config.getFetchMinBytes().toBytes()));
        props.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, (int) config.getFetchMaxWait().toMilliseconds());
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.putAll(config.getConsumer());
        return props;
    }

    public long lag() {
        long total = 0;
        synchronized (loops) {
            for (AuditConsumerLoop loop : loops) {
                total += loop.lag();
            }
        }
        return total;
    }

    @Override
    public void start() {
        synchronized (loops) {
            for (int i = 0; i < config.getConsumers(); i++) {
                final KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(
                        consumerProperties(config, "audit-consumer-" + i), new StringDeserializer(), new ByteArrayDeserializer());
                final AuditConsumerLoop loop = new AuditConsumerLoop(consumer, store, config.getTopic(),
                        config.getPollTimeout().toJavaDuration(), config.getCloseTimeout().toJavaDuration(), clock,
                        batch -> { }, records, batches, deadLetters);
                final Thread thread = new Thread(loop, "audit-consumer-" + i);
                loops.add(loop);
                threads.add(thread);
                thread.start();
            }
        }
    }

    @Override
    public void stop() throws InterruptedException {
        synchronized (loops) {
            loops.forEach(AuditConsumerLoop::stop);
        }
        final long deadline = System.nanoTime() + config.getCloseTimeout().toNanoseconds() * 2;
        for (Thread thread : threads) {
            thread.join(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
        }
    }
}
