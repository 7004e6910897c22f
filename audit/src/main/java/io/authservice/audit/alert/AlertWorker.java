package io.authservice.audit.alert;

import io.dropwizard.lifecycle.Managed;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Runs {@link AlertDelivery} every poll interval on its own thread while the application runs, and after a
 * pass the {@link AlertPruner} when its interval has passed.
 */
public final class AlertWorker implements Managed {
    private static final Logger LOG = LoggerFactory.getLogger(AlertWorker.class);

    private final AlertDelivery delivery;
    private final AlertPruner pruner;
    private final ScheduledExecutorService executor;
    private final long intervalMillis;

    public AlertWorker(AlertDelivery delivery, AlertPruner pruner, ScheduledExecutorService executor, java.time.Duration interval) {
        this.delivery = delivery;
        this.pruner = pruner;
        this.executor = executor;
        this.intervalMillis = Math.max(1, interval.toMillis());
    }

    @Override
    public void start() {
        executor.scheduleWithFixedDelay(this::pass, intervalMillis, intervalMillis, TimeUnit.MILLISECONDS);
    }

    private void pass() {
        try {
            AlertDelivery.Pass pass;
            do {
                pass = delivery.runOnce();
            } while (pass.delivered() > 0 && pass.failed() == 0 && !Thread.currentThread().isInterrupted());
        } catch (RuntimeException e) {
            // the store is away: the next pass tries again, nothing is lost
            LOG.warn("alert delivery pass failed: {}", e.toString());
        }
        try {
            pruner.pruneIfDue();
        } catch (RuntimeException e) {
            LOG.warn("alert state prune failed; retried on a later pass: {}", e.toString());
        }
    }

    @Override
    public void stop() throws InterruptedException {
        executor.shutdownNow();
        if (!executor.awaitTermination(10, TimeUnit.SECONDS)) {
            LOG.warn("the alert delivery worker did not stop within 10 s");
        }
    }
}
