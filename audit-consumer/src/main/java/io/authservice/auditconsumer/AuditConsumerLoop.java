package io.authservice.auditconsumer;

import com.codahale.metrics.Counter;
import com.codahale.metrics.Meter;
import com.codahale.metrics.Timer;
import io.authservice.audit.AuditEvent;
import io.authservice.audit.AuditStore;
import io.authservice.audit.Backoff;
import io.authservice.audit.AuditWireFormat;
import io.authservice.audit.DeadLetter;
import org.apache.kafka.clients.consumer.CommitFailedException;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One consumer on one thread: poll, decode, store the batch (events and dead letters) in one
 * transaction, and only then commit the batch's offsets. A crash anywhere before the offset commit
 * means the batch is read again; the store keeps each event id once, so nothing is lost or doubled.
 * A record that is not an event goes to the dead letters and the partition moves on. Stopped by a
 * flag (and {@code wakeup()}), closed with a timeout.
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

    private final Consumer<String, byte[]> consumer;
    private final AuditStore store;
    private final String topic;
    private final Duration pollTimeout;
    private final Duration closeTimeout;
    private final Clock clock;
    private final BatchHook hook;
    private final Meter records;
    private final Timer batches;
    private final Counter deadLetters;
    private final Set<TopicPartition> assigned = ConcurrentHashMap.newKeySet();
    private volatile boolean running = true;
    private volatile long lag;
    private int batchNumber;

    public AuditConsumerLoop(Consumer<String, byte[]> consumer, AuditStore store, String topic, Duration pollTimeout,
                             Duration closeTimeout, Clock clock, BatchHook hook, Meter records, Timer batches,
                             Counter deadLetters) {
        this.consumer = consumer;
        this.store = store;
        this.topic = topic;
        this.pollTimeout = pollTimeout;
        this.closeTimeout = closeTimeout;
        this.clock = clock;
        this.hook = hook;
        this.records = records;
        this.batches = batches;
        this.deadLetters = deadLetters;
    }

    /** Records in this consumer's partitions not yet read, as of its last poll. */
    public long lag() {
        return lag;
    }

    /** Asks the loop to finish its batch and close; returns at once. */
    public void stop() {
        running = false;
        consumer.wakeup();
    }

    @Override
    public void run() {
        try {
            consumer.subscribe(List.of(topic), new Rebalance());
            while (running) {
                final ConsumerRecords<String, byte[]> batch = consumer.poll(pollTimeout);
                updateLag();
                if (!batch.isEmpty()) {
                    handle(batch);
                }
            }
        } catch (WakeupException e) {
            if (running) {
                throw e;
            }
        } finally {
            consumer.close(closeTimeout);
        }
    }

    private void handle(ConsumerRecords<String, byte[]> batch) {
        final List<AuditEvent> events = new ArrayList<>(batch.count());
        final List<ConsumerRecord<String, byte[]>> sources = new ArrayList<>(batch.count());
        final List<DeadLetter> dead = new ArrayList<>();
        final Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        for (ConsumerRecord<String, byte[]> record : batch) {
            try {
                events.add(AuditWireFormat.decode(record.value()));
                sources.add(record);
            } catch (AuditWireFormat.MalformedAuditEventException e) {
                LOG.warn("record {}-{}@{} is not an audit event ({}); kept as a dead letter", record.topic(),
                        record.partition(), record.offset(), e.getMessage());
                dead.add(deadLetter(record, record.value(), e.getMessage()));
            }
            offsets.put(new TopicPartition(record.topic(), record.partition()), new OffsetAndMetadata(record.offset() + 1));
        }
        if (!write(events, sources, dead)) {
            return;  // stopping: the batch is read again by whoever gets its partitions
        }
        hook.afterStore(++batchNumber);
        try {
            consumer.commitSync(offsets);
        } catch (CommitFailedException e) {
            // the group moved on (e.g. a rebalance): the new owner reads the batch again and the store ignores it
            LOG.warn("offsets not committed ({}); the batch will be read again", e.getMessage());
        }
        records.mark(batch.count());
        deadLetters.inc(dead.size());
    }

    /**
     * Stores the batch, retrying with backoff while the store is unavailable; false if stopped first.
     * What the database refuses ({@link AuditStore#store}) becomes a dead letter of its record, and the
     * rest is stored, so one such event cannot hold up its partition for ever.
     */
    private boolean write(List<AuditEvent> events, List<ConsumerRecord<String, byte[]>> sources, List<DeadLetter> dead) {
        final Backoff backoff = new Backoff(STORE_BACKOFF, MAX_STORE_BACKOFF);
        while (true) {
            try (Timer.Context ignored = batches.time()) {
                final AuditStore.Stored stored = store.store(events, dead, (i, event, reason) -> {
                    final ConsumerRecord<String, byte[]> record = sources.get(i);
                    LOG.warn("record {}-{}@{} (audit event {}) is refused by the audit store; kept as a dead letter",
                            record.topic(), record.partition(), record.offset(), event.id());
                    return deadLetter(record, AuditWireFormat.encode(event), reason);
                });
                deadLetters.inc(stored.refused().size());
                return true;
            } catch (AuditStore.UnavailableException e) {
                if (!running) {
                    return false;
                }
                LOG.warn("audit store write of {} events failed, retrying: {}", events.size(), e.getMessage());
                try {
                    Thread.sleep(backoff.nextDelayMillis());
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }
        }
    }

    private DeadLetter deadLetter(ConsumerRecord<String, byte[]> record, byte[] payload, String error) {
        return new DeadLetter(record.topic(), record.partition(), record.offset(), 0, record.key(), payload, error,
                clock.instant());
    }

    private void updateLag() {
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
