package io.authservice.auditconsumer;

import com.codahale.metrics.Counter;
import com.codahale.metrics.Meter;
import com.codahale.metrics.MetricRegistry;
import com.codahale.metrics.Timer;
import io.authservice.audit.AuditEvent;
import io.authservice.audit.AuditStore;
import io.authservice.audit.AuditWireFormat;
import io.authservice.audit.Backoff;
import io.authservice.audit.DeadLetter;
import org.apache.kafka.clients.consumer.CommitFailedException;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RebalanceInProgressException;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * One consumer thread: poll, decode (v1 and v2 records), store the batch (events and dead letters) in
 * one transaction, and only then commit the batch's offsets. A crash anywhere before the offset commit
 * means the batch is read again; the store keeps each event id once, so nothing is lost or doubled.
 * A record that cannot be read is one dead letter, an event the store refuses is one of its own, and
 * the partition moves on.
 *
 * <p>The thread does not end on a failure: on any unexpected exception (a commit that times out
 * because the broker went away, an authorization error, ...) it closes its consumer and, after a
 * backoff, starts a new one, which resumes from the last committed offsets. Its {@link #status()}
 * says whether it is polling, restarting or ended, and when it last came back from a poll. Stopped by
 * a flag (and {@code wakeup()}), the consumer closed with a timeout.
 */
public final class AuditConsumerLoop implements Runnable {
    private static final Logger LOG = LoggerFactory.getLogger(AuditConsumerLoop.class);
    private static final Duration STORE_BACKOFF = Duration.ofMillis(100);
    private static final Duration MAX_STORE_BACKOFF = Duration.ofSeconds(5);

    /** Called after a batch is in the store and before its offsets are committed (a test's crash point). */
    @FunctionalInterface
    public interface BatchHook {
        void afterStore(int batchNumber);
    }

    /** What the thread is doing. */
    public enum State {
        /** Working: between polls, or in one. */
        RUNNING,
        /** Waiting to start a new consumer after a failure. */
        RESTARTING,
        /** Asked to stop, and stopped. */
        STOPPED,
        /** Ended by an error it does not survive (such as OutOfMemoryError). */
        ENDED
    }

    /**
     * The thread as of now.
     *
     * @param lastPoll    when a poll last returned (or the current consumer started)
     * @param restarts    how many times it started a new consumer after a failure
     * @param lastFailure the last failure it met, or null
     */
    public record Status(String name, State state, Instant lastPoll, long restarts, String lastFailure) {
    }

    /** What the loop reads and how long it waits. */
    public record Settings(String topic, Duration pollTimeout, Duration closeTimeout, Duration restartBackoff,
                           Duration maxRestartBackoff) {
        public static Settings of(ConsumerKafkaConfig config) {
            return new Settings(config.getTopic(), config.getPollTimeout().toJavaDuration(),
                    config.getCloseTimeout().toJavaDuration(), config.getRestartBackoff().toJavaDuration(),
                    config.getMaxRestartBackoff().toJavaDuration());
        }
    }

    /**
     * The loops' metrics: {@code audit-consumer.records} (records read), {@code audit-consumer.events}
     * (events stored), {@code audit-consumer.batches} (store write latency), {@code audit-consumer.dead-letters},
     * {@code audit-consumer.restarts}.
     */
    public record Metrics(Meter records, Meter events, Timer batches, Counter deadLetters, Counter restarts) {
        public static Metrics registeredIn(MetricRegistry registry) {
            return new Metrics(registry.meter("audit-consumer.records"), registry.meter("audit-consumer.events"),
                    registry.timer("audit-consumer.batches"), registry.counter("audit-consumer.dead-letters"),
                    registry.counter("audit-consumer.restarts"));
        }
    }

    /** Where an event came from: its record and its position in it. */
    private record Source(ConsumerRecord<String, byte[]> record, int index) {
    }

    private final String name;
    private final Supplier<? extends Consumer<String, byte[]>> consumers;
    private final Function<TopicPartition, AuditStore> stores;
    private final Settings settings;
    private final Clock clock;
    private final BatchHook hook;
    private final Metrics metrics;
    private final Set<TopicPartition> assigned = ConcurrentHashMap.newKeySet();
    private final CountDownLatch stopRequested = new CountDownLatch(1);
    private volatile boolean running = true;
    private volatile Consumer<String, byte[]> current;
    private volatile long lag;
    private volatile State state = State.RUNNING;
    private volatile Instant lastPoll;
    private volatile long restarts;
    private volatile String lastFailure;
    private int batchNumber;

    /**
     * @param consumers makes a new consumer: when the loop starts, and after each failure
     */
    public AuditConsumerLoop(String name, Supplier<? extends Consumer<String, byte[]>> consumers, AuditStore store,
                             Settings settings, Clock clock, BatchHook hook, Metrics metrics) {
        this(name, consumers, partition -> store, settings, clock, hook, metrics);
    }

    /**
     * @param stores the store of each partition: each partition's events of a poll are stored in a
     *               transaction of their own, so each partition can keep its own sealed chain
     */
    public AuditConsumerLoop(String name, Supplier<? extends Consumer<String, byte[]>> consumers,
                             Function<TopicPartition, AuditStore> stores, Settings settings, Clock clock, BatchHook hook,
                             Metrics metrics) {
        this.name = name;
        this.consumers = consumers;
        this.stores = stores;
        this.settings = settings;
        this.clock = clock;
        this.hook = hook;
        this.metrics = metrics;
        this.lastPoll = clock.instant();
    }

    /** Records in this consumer's partitions not yet read, as of its last poll. */
    public long lag() {
        return lag;
    }

    public Status status() {
        return new Status(name, state, lastPoll, restarts, lastFailure);
    }

    /** Asks the loop to finish its batch and close; returns at once. */
    public void stop() {
        running = false;
        stopRequested.countDown();
        final Consumer<String, byte[]> consumer = current;
        if (consumer != null) {
            consumer.wakeup();
        }
    }

    @Override
    public void run() {
        final Backoff backoff = new Backoff(settings.restartBackoff(), settings.maxRestartBackoff());
        try {
            while (running) {
                try {
                    consume(backoff);
                } catch (RuntimeException e) {
                    if (!running) {
                        break;
                    }
                    restarts++;
                    lastFailure = e.toString();
                    state = State.RESTARTING;
                    metrics.restarts().inc();
                    final long delay = backoff.nextDelayMillis();
                    LOG.error("consumer {} failed; a new consumer resumes from the last committed offsets in {} ms",
                            name, delay, e);
                    pause(delay);
                }
            }
        } finally {
            state = running ? State.ENDED : State.STOPPED;
        }
    }

    /** One consumer's life: subscribe, then poll and store until stopped, or until something fails. */
    private void consume(Backoff restartBackoff) {
        final Consumer<String, byte[]> consumer = consumers.get();
        current = consumer;
        try {
            lastPoll = clock.instant();
            state = State.RUNNING;
            if (!running) {
                return;
            }
            consumer.subscribe(List.of(settings.topic()), new Rebalance());
            while (running) {
                final ConsumerRecords<String, byte[]> batch = consumer.poll(settings.pollTimeout());
                lastPoll = clock.instant();
                updateLag(consumer);
                if (!batch.isEmpty()) {
                    handle(consumer, batch);
                }
                restartBackoff.reset();
            }
        } catch (WakeupException e) {
            if (running) {
                throw e;
            }
        } finally {
            current = null;
            assigned.clear();
            try {
                consumer.close(settings.closeTimeout());
            } catch (RuntimeException e) {
                LOG.warn("consumer {} did not close cleanly: {}", name, e.toString());
            }
        }
    }

    private void handle(Consumer<String, byte[]> consumer, ConsumerRecords<String, byte[]> batch) {
        final Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        int storedEvents = 0;
        int deadLetters = 0;
        for (TopicPartition partition : batch.partitions()) {
            final List<ConsumerRecord<String, byte[]>> records = batch.records(partition);
            final List<AuditEvent> events = new ArrayList<>(records.size());
            final List<Source> sources = new ArrayList<>(records.size());
            final List<DeadLetter> dead = new ArrayList<>();
            for (ConsumerRecord<String, byte[]> record : records) {
                try {
                    final List<AuditEvent> decoded = AuditWireFormat.decodeRecord(record.value());
                    for (int i = 0; i < decoded.size(); i++) {
                        events.add(decoded.get(i));
                        sources.add(new Source(record, i));
                    }
                } catch (AuditWireFormat.MalformedAuditEventException e) {
                    LOG.warn("record {}-{}@{} is not an audit record ({}); kept as a dead letter", record.topic(),
                            record.partition(), record.offset(), e.getMessage());
                    dead.add(deadLetter(record, 0, record.value(), e.getMessage()));
                }
                offsets.put(partition, new OffsetAndMetadata(record.offset() + 1));
            }
            final Optional<AuditStore.Stored> stored = write(stores.apply(partition), events, sources, dead);
            if (stored.isEmpty()) {
                return;  // stopping: the batch is read again by whoever gets its partitions
            }
            storedEvents += stored.get().events();
            deadLetters += dead.size() + stored.get().refused().size();
        }
        hook.afterStore(++batchNumber);
        try {
            consumer.commitSync(offsets);
        } catch (CommitFailedException | RebalanceInProgressException e) {
            // the group is moving: whoever owns the partitions next reads from the last commit, and the store
            // keeps what it already holds once
            LOG.warn("offsets not committed ({}); the batch may be read again", e.getMessage());
        }
        metrics.records().mark(batch.count());
        metrics.events().mark(storedEvents);
        metrics.deadLetters().inc(deadLetters);
    }

    /**
     * Stores the batch, retrying with backoff while the store is unavailable; empty if stopped first.
     * An event the store refuses becomes a dead letter of its own: its record's position, its index in
     * the record, and the event alone in its version 1 form.
     */
    private Optional<AuditStore.Stored> write(AuditStore store, List<AuditEvent> events, List<Source> sources,
                                              List<DeadLetter> dead) {
        final Backoff backoff = new Backoff(STORE_BACKOFF, MAX_STORE_BACKOFF);
        while (running) {
            try (Timer.Context ignored = metrics.batches().time()) {
                return Optional.of(store.store(events, dead, (i, event, reason) -> {
                    final Source source = sources.get(i);
                    final ConsumerRecord<String, byte[]> record = source.record();
                    LOG.warn("event {} of record {}-{}@{} (audit event {}) is refused by the audit store; kept as a dead letter",
                            source.index(), record.topic(), record.partition(), record.offset(), event.id());
                    return deadLetter(record, source.index(), AuditWireFormat.encode(event), reason);
                }));
            } catch (AuditStore.UnavailableException e) {
                LOG.warn("audit store write of {} events failed, retrying: {}", events.size(), e.getMessage());
                pause(backoff.nextDelayMillis());
            }
        }
        return Optional.empty();
    }

    /** Waits, or less if asked to stop; an interrupt is taken as a request to stop. */
    private void pause(long millis) {
        try {
            stopRequested.await(millis, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running = false;
        }
    }

    private DeadLetter deadLetter(ConsumerRecord<String, byte[]> record, int index, byte[] payload, String error) {
        return new DeadLetter(record.topic(), record.partition(), record.offset(), index, record.key(), payload, error,
                clock.instant());
    }

    private void updateLag(Consumer<String, byte[]> consumer) {
        long total = 0;
        for (TopicPartition partition : assigned) {
            final OptionalLong partitionLag = consumer.currentLag(partition);
            if (partitionLag.isPresent()) {
                total += partitionLag.getAsLong();
            }
        }
        lag = total;
    }

    /** Offsets are committed before every poll, so a revocation finds nothing pending; it only tracks the assignment. */
    private final class Rebalance implements ConsumerRebalanceListener {
        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            assigned.removeAll(partitions);
            LOG.info("partitions revoked: {}", partitions);
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            assigned.addAll(partitions);
            LOG.info("partitions assigned: {}", partitions);
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> partitions) {
            assigned.removeAll(partitions);
            LOG.warn("partitions lost: {}", partitions);
        }
    }
}
