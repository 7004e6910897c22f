package io.authservice.auditing;

import com.codahale.metrics.Counter;
import com.codahale.metrics.Gauge;
import com.codahale.metrics.MetricRegistry;
import com.codahale.metrics.Timer;
import io.authservice.audit.AuditEvent;
import io.dropwizard.lifecycle.Managed;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The {@code direct} sink: the request thread only enqueues; one background thread writes the queue
 * into the audit store, up to {@code batchSize} events per transaction. While the store fails, the
 * writer retries (backing off) and the queue absorbs the events; only a full queue drops one, and
 * every drop is counted ({@code audit.dropped}) and logged with the event id. Stopping drains the
 * queue into the store, waiting at most the shutdown timeout.
 *
 * <p>Metrics: {@code audit.queue-depth}, {@code audit.written}, {@code audit.dropped},
 * {@code audit.batches} (write latency).
 */
public final class DirectAuditSink implements AuditRecorder, Managed {
    private static final Logger LOG = LoggerFactory.getLogger(DirectAuditSink.class);
    private static final long POLL_MILLIS = 100;
    private static final long MAX_BACKOFF_MILLIS = 5_000;

    /** Writes one batch in one transaction, each event at most once; throws when it cannot. */
    @FunctionalInterface
    public interface BatchWriter {
        void write(List<AuditEvent> batch);
    }

    private final BatchWriter store;
    private final BlockingQueue<AuditEvent> queue;
    private final int batchSize;
    private final Duration shutdownTimeout;
    private final Counter written;
    private final Counter dropped;
    private final Timer batches;
    private volatile boolean running;
    private Thread writer;

    public DirectAuditSink(BatchWriter store, int queueCapacity, int batchSize, Duration shutdownTimeout,
                           MetricRegistry metrics) {
        this.store = store;
        this.queue = new ArrayBlockingQueue<>(queueCapacity);
        this.batchSize = batchSize;
        this.shutdownTimeout = shutdownTimeout;
        this.written = metrics.counter("audit.written");
        this.dropped = metrics.counter("audit.dropped");
        this.batches = metrics.timer("audit.batches");
        metrics.register("audit.queue-depth", (Gauge<Integer>) queue::size);
    }

    @Override
    public void record(AuditEvent event) {
        if (!queue.offer(event)) {
            dropped.inc();
            LOG.error("audit queue full: event {} ({}) dropped", event.id(), event.type());
        }
    }

    @Override
    public boolean canRecord() {
        return queue.remainingCapacity() > 0;
    }

    @Override
    public synchronized void start() {
        running = true;
        writer = new Thread(this::run, "audit-direct-writer");
        writer.setDaemon(true);
        writer.start();
    }

    @Override
    public synchronized void stop() throws InterruptedException {
        running = false;
        writer.join(shutdownTimeout.toMillis());
        if (writer.isAlive()) {
            writer.interrupt();
            writer.join(shutdownTimeout.toMillis());
        }
        final List<AuditEvent> left = new ArrayList<>();
        queue.drainTo(left);
        if (!left.isEmpty()) {
            drop(left, "not written within the shutdown timeout");
        }
    }

    public long written() {
        return written.getCount();
    }

    public long dropped() {
        return dropped.getCount();
    }

    public int queueDepth() {
        return queue.size();
    }

    private void run() {
        final List<AuditEvent> batch = new ArrayList<>(batchSize);
        try {
            while (running || !queue.isEmpty()) {
                final AuditEvent first = queue.poll(POLL_MILLIS, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                batch.add(first);
                queue.drainTo(batch, batchSize - 1);
                write(batch);
                batch.clear();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            if (!batch.isEmpty()) {
                drop(batch, "interrupted while writing");
            }
        }
    }

    /** Writes the batch, retrying while the store fails; a single event the store refuses is dropped. */
    private void write(List<AuditEvent> batch) throws InterruptedException {
        List<AuditEvent> pending = List.copyOf(batch);
        long backoff = POLL_MILLIS;
        for (int attempt = 1; ; attempt++) {
            try {
                insert(pending);
                return;
            } catch (RuntimeException e) {
                if (attempt >= 3 && pending.size() > 1) {
                    // one bad event must not hold the rest back: write them one by one
                    pending = writeOneByOne(pending);
                    if (pending.isEmpty()) {
                        return;
                    }
                }
                if (!running && attempt >= 3) {
                    drop(pending, "the store still fails while stopping: " + e.getMessage());
                    return;
                }
                LOG.warn("audit store write of {} events failed (attempt {}), retrying: {}", pending.size(), attempt,
                        e.getMessage());
                Thread.sleep(backoff);
                backoff = Math.min(backoff * 2, MAX_BACKOFF_MILLIS);
            }
        }
    }

    /**
     * Writes each event alone. When some succeed, the store is up and those that fail are refused for
     * what they are: they are dropped. When none succeed, all are returned to be retried.
     */
    private List<AuditEvent> writeOneByOne(List<AuditEvent> events) {
        final List<AuditEvent> failed = new ArrayList<>();
        RuntimeException last = null;
        for (AuditEvent event : events) {
            try {
                insert(List.of(event));
            } catch (RuntimeException e) {
                failed.add(event);
                last = e;
            }
        }
        if (failed.size() == events.size() || last == null) {
            return failed;
        }
        drop(failed, "refused by the store: " + last.getMessage());
        return List.of();
    }

    private void insert(List<AuditEvent> events) {
        try (Timer.Context ignored = batches.time()) {
            store.write(events);
        }
        written.inc(events.size());
    }

    private void drop(List<AuditEvent> events, String why) {
        dropped.inc(events.size());
        for (AuditEvent event : events) {
            LOG.error("audit event {} ({}) dropped: {}", event.id(), event.type(), why);
        }
    }
}
