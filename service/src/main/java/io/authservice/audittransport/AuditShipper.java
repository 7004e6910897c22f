package io.authservice.audittransport;

import com.codahale.metrics.Gauge;
import com.codahale.metrics.Histogram;
import com.codahale.metrics.Meter;
import com.codahale.metrics.MetricRegistry;
import io.authservice.audit.Backoff;
import io.dropwizard.lifecycle.Managed;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Ships the audit journal to its destination (the audit store, or Kafka) on one daemon thread:
 * reads batches from the journal's cursor, in order, hands each to the destination and commits the
 * journal past it only once the destination holds it durably. A batch the destination fails is
 * retried, the same batch, after a backoff; meanwhile the journal simply grows. After a restart
 * shipping resumes from the cursor (at-least-once; the store keeps each event id once).
 *
 * <p>{@link #stop()} ships what the journal holds for up to the shutdown timeout, then closes the
 * destination and the journal; what is left ships on the next start.
 *
 * <p>Metrics: {@code audit.shipped} (events), {@code audit.shipped.batch} (events per batch shipped), {@code audit.lag} (age in ms of the oldest journaled
 * event not yet shipped; 0 when none).
 */
public final class AuditShipper implements Managed {
    private static final Logger LOG = LoggerFactory.getLogger(AuditShipper.class);
    /** How long one wait for the first record of a batch lasts before the thread looks at its flags again. */
    private static final long POLL_MILLIS = 100;
    private static final long NONE_PENDING = -1;

    /** Where shipped events go. */
    public interface Destination {
        /**
         * Makes the batch durable at the destination, or throws. May be called again with the
         * same records (after a failure, or after a restart before the commit).
         */
        void ship(List<AuditJournal.Entry> batch) throws Exception;

        /** Releases what the destination holds, waiting at most {@code timeout}. */
        default void close(Duration timeout) {
        }
    }

    private final AuditJournal journal;
    private final Destination destination;
    private final int batchSize;
    private final Duration linger;
    private final Duration shutdownTimeout;
    private final Backoff backoff;
    private final Clock clock;
    private final Meter shipped;
    private final Histogram batches;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition wake = lock.newCondition();
    /** When the oldest event read but not yet shipped was appended, in the journal clock's millis. */
    private volatile long oldestPending = NONE_PENDING;
    private volatile boolean draining;
    private volatile boolean halted;
    private volatile long drainDeadline;
    private Thread thread;

    /**
     * @param batchSize most records per batch
     * @param linger    how long after its first event was appended a batch that is not full may wait
     *                  for more (larger batches under load: fewer commits, seals and Kafka records)
     */
    public AuditShipper(AuditJournal journal, Destination destination, int batchSize, Duration linger,
                        Duration shutdownTimeout, Backoff backoff, Clock clock, MetricRegistry metrics) {
        this.journal = journal;
        this.destination = destination;
        this.batchSize = batchSize;
        this.linger = linger;
        this.shutdownTimeout = shutdownTimeout;
        this.backoff = backoff;
        this.clock = clock;
        this.shipped = metrics.meter("audit.shipped");
        this.batches = metrics.histogram("audit.shipped.batch");
        metrics.register("audit.lag", (Gauge<Long>) this::lagMillis);
    }

    /** Age in milliseconds of the oldest journaled event not yet shipped; 0 when none waits. */
    public long lagMillis() {
        final long oldest = oldestPending;
        return oldest == NONE_PENDING ? 0 : Math.max(0, clock.millis() - oldest);
    }

    @Override
    public synchronized void start() {
        thread = new Thread(this::run, "audit-shipper");
        thread.setDaemon(true);
        thread.start();
    }

    /**
     * Ships what the journal holds for at most the shutdown timeout, then closes the destination and
     * the journal.
     */
    @Override
    public synchronized void stop() throws InterruptedException {
        drainDeadline = System.nanoTime() + shutdownTimeout.toNanos();
        draining = true;
        signal();
        if (thread != null) {
            thread.join(shutdownTimeout.toMillis() + POLL_MILLIS);
            if (thread.isAlive()) {
                halted = true;
                signal();
            }
        }
        // a send still waiting for Kafka fails when the producer closes; the thread then ends
        destination.close(shutdownTimeout);
        if (thread != null) {
            thread.join(shutdownTimeout.toMillis());
            if (thread.isAlive()) {
                LOG.error("the audit shipper did not stop within {}; closing the journal under it", shutdownTimeout);
            }
        }
        journal.close();
    }

    private void run() {
        AuditJournal.Position from = null;
        List<AuditJournal.Entry> batch = List.of();
        boolean failing = false;
        long retryIn = 0;
        while (!halted) {
            try {
                if (retryIn > 0) {
                    pause(retryIn);
                    retryIn = 0;
                }
                if (from == null) {
                    from = journal.cursor();
                }
                if (batch.isEmpty()) {
                    batch = nextBatch(from);
                    if (batch.isEmpty()) {
                        if (draining) {
                            return;  // everything journaled is shipped
                        }
                        continue;
                    }
                }
                if (draining && System.nanoTime() - drainDeadline > 0) {
                    LOG.warn("audit shipper stopping with events still in the journal; they ship on the next start");
                    return;
                }
                destination.ship(batch);
                final AuditJournal.Position next = batch.get(batch.size() - 1).next();
                journal.commit(next);
                shipped.mark(batch.size());
                batches.update(batch.size());
                from = next;
                batch = List.of();
                oldestPending = NONE_PENDING;
                backoff.reset();
                if (failing) {
                    LOG.info("audit shipper ships again");
                    failing = false;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (Exception e) {
                if (!failing) {
                    LOG.warn("audit shipper cannot ship {} events (kept in the journal, retrying): {}", batch.size(),
                            e.toString());
                    failing = true;
                } else {
                    LOG.debug("audit shipper retry failed: {}", e.toString());
                }
                retryIn = backoff.nextDelayMillis();
            }
        }
    }

    /**
     * Up to {@code batchSize} records from {@code from}: waits a little for the first, then, while they
     * do not fill a batch, for more until the first is {@code linger} old (under load the first has
     * already waited while the batch before it shipped, so the wait is short or none). Empty when
     * none came.
     */
    private List<AuditJournal.Entry> nextBatch(AuditJournal.Position from) throws InterruptedException {
        if (!journal.awaitRecord(from, draining ? 0 : POLL_MILLIS, TimeUnit.MILLISECONDS)) {
            return List.of();
        }
        final List<AuditJournal.Entry> first = journal.read(from, batchSize);
        if (first.isEmpty()) {
            return first;
        }
        oldestPending = first.get(0).appendedAt();
        if (first.size() >= batchSize || draining || linger.isZero()) {
            return first;
        }
        final long wait = Math.min(linger.toMillis(), first.get(0).appendedAt() + linger.toMillis() - clock.millis());
        if (wait > 0) {
            pause(wait);
        }
        final List<AuditJournal.Entry> more = journal.read(first.get(first.size() - 1).next(), batchSize - first.size());
        if (more.isEmpty()) {
            return first;
        }
        final List<AuditJournal.Entry> batch = new ArrayList<>(first.size() + more.size());
        batch.addAll(first);
        batch.addAll(more);
        return batch;
    }

    /** Waits {@code millis}; when stopping, no longer than the drain deadline. */
    private void pause(long millis) throws InterruptedException {
        final long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        lock.lock();
        try {
            while (!halted) {
                final long now = System.nanoTime();
                final long left = (draining && drainDeadline - end < 0 ? drainDeadline : end) - now;
                if (left <= 0) {
                    return;
                }
                wake.awaitNanos(left);
            }
        } finally {
            lock.unlock();
        }
    }

    private void signal() {
        lock.lock();
        try {
            wake.signalAll();
        } finally {
            lock.unlock();
        }
    }
}
