package io.authservice.auditconsumer;

import com.codahale.metrics.Gauge;
import com.codahale.metrics.MetricRegistry;
import com.codahale.metrics.health.HealthCheck;
import io.authservice.audit.AuditStore;
import io.dropwizard.lifecycle.Managed;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The configured number of {@link AuditConsumerLoop}s, one thread each, each restarting its consumer
 * after a failure. Metrics: those of {@link AuditConsumerLoop.Metrics} and {@code audit-consumer.lag};
 * health: {@link #healthCheck()}.
 */
public final class AuditConsumers implements Managed {
    private final ConsumerKafkaConfig config;
    private final Function<TopicPartition, AuditStore> stores;
    private final Clock clock;
    private final AuditConsumerLoop.BatchHook hook;
    private final AuditConsumerLoop.Metrics metrics;
    private final List<AuditConsumerLoop> loops = new ArrayList<>();
    private final List<Thread> threads = new ArrayList<>();

    /**
     * @param hook called after each batch is stored, before its offsets are committed (tests; else a no-op)
     */
    public AuditConsumers(ConsumerKafkaConfig config, AuditStore store, Clock clock, MetricRegistry metrics,
                          AuditConsumerLoop.BatchHook hook) {
        this(config, partition -> store, clock, metrics, hook);
    }

    /**
     * @param stores the store of each partition (each its own sealed chain)
     */
    public AuditConsumers(ConsumerKafkaConfig config, Function<TopicPartition, AuditStore> stores, Clock clock,
                          MetricRegistry metrics, AuditConsumerLoop.BatchHook hook) {
        this.config = config;
        this.stores = stores;
        this.clock = clock;
        this.hook = hook;
        this.metrics = AuditConsumerLoop.Metrics.registeredIn(metrics);
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

    /** The {@code consumers} health check: every thread polling within {@code healthPollTimeout}. */
    public HealthCheck healthCheck() {
        return new ConsumerThreadsHealthCheck(this::statuses, clock, config.getHealthPollTimeout().toJavaDuration());
    }

    private List<AuditConsumerLoop.Status> statuses() {
        synchronized (loops) {
            return loops.stream().map(AuditConsumerLoop::status).toList();
        }
    }

    @Override
    public void start() {
        synchronized (loops) {
            for (int i = 0; i < config.getConsumers(); i++) {
                final String name = "audit-consumer-" + i;
                final AuditConsumerLoop loop = new AuditConsumerLoop(name, () -> new KafkaConsumer<>(
                        consumerProperties(config, name), new StringDeserializer(), new ByteArrayDeserializer()),
                        stores, AuditConsumerLoop.Settings.of(config), clock, hook, metrics);
                final Thread thread = new Thread(loop, name);
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
