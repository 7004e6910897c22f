package io.authservice.seal;

import com.codahale.metrics.Gauge;
import com.codahale.metrics.MetricRegistry;
import com.codahale.metrics.Timer;
import io.authservice.audit.AuditEvent;
import io.authservice.audit.AuditEventTypes;
import io.authservice.audit.AuditLog;
import io.authservice.audit.AuditReasons;
import io.authservice.audit.seal.TrailVerification;
import io.authservice.audit.seal.TrailVerifier;
import io.authservice.core.Actor;
import io.dropwizard.lifecycle.Managed;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * The trail's self-check: verifies the whole sealed trail once every {@code interval} (judged by the
 * injected {@link Clock}, looked at every minute, so a test moves the clock instead of waiting a day),
 * the first time {@code firstDelay} after start, and on demand (the {@code verify-audit-trail} task).
 *
 * <p>Each check is recorded as metrics ({@code audit.seal.verification.ok} 1 when the trail held, 0
 * when it did not or could not be read, -1 before the first check; {@code .findings}, {@code .last}
 * in epoch seconds, the timer {@code .duration}) and as an {@code audit.verified} event; the
 * {@code audit-trail} health check reports the last one. Every instance checks on its own: the
 * verification only reads (one snapshot), and each instance's health check must say what that
 * instance saw.
 */
public final class TrailSelfCheck implements Managed {
    /** How often the schedule looks whether a check is due. */
    static final Duration LOOK_EVERY = Duration.ofMinutes(1);
    private static final Logger LOG = LoggerFactory.getLogger(TrailSelfCheck.class);

    /**
     * One check's outcome.
     *
     * @param verification what the verifier found; null when it could not run
     * @param error        why it could not run (the exception's class, never its message), or null
     */
    public record Outcome(Instant at, Duration took, TrailVerification verification, String error) {
        public boolean ok() {
            return verification != null && verification.ok();
        }

        /** How many findings the verification counted (0 when it could not run). */
        public long findings() {
            return verification == null ? 0 : verification.counts().values().stream().mapToLong(Long::longValue).sum();
        }
    }

    private final TrailVerifier verifier;
    private final AuditLog audit;
    private final Clock clock;
    private final ScheduledExecutorService executor;
    private final Duration interval;
    private final Duration firstDelay;
    private final String instanceId;
    private final Timer duration;
    private volatile Outcome last;

    /**
     * @param executor   one thread that runs the scheduled checks; stopped by {@link #stop()}
     * @param interval   how often a check runs; zero: only on demand
     * @param firstDelay how long after start the first check runs
     */
    public TrailSelfCheck(TrailVerifier verifier, AuditLog audit, Clock clock, ScheduledExecutorService executor,
                          Duration interval, Duration firstDelay, MetricRegistry metrics, String instanceId) {
        this.verifier = Objects.requireNonNull(verifier, "verifier");
        this.audit = Objects.requireNonNull(audit, "audit");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.executor = Objects.requireNonNull(executor, "executor");
        this.interval = Objects.requireNonNull(interval, "interval");
        this.firstDelay = Objects.requireNonNull(firstDelay, "firstDelay");
        this.instanceId = instanceId;
        this.duration = metrics.timer("audit.seal.verification.duration");
        metrics.register("audit.seal.verification.ok", (Gauge<Integer>) () -> {
            final Outcome outcome = last;
            return outcome == null ? -1 : outcome.ok() ? 1 : 0;
        });
        metrics.register("audit.seal.verification.findings", (Gauge<Long>) () -> {
            final Outcome outcome = last;
            return outcome == null ? 0 : outcome.findings();
        });
        metrics.register("audit.seal.verification.last", (Gauge<Long>) () -> {
            final Outcome outcome = last;
            return outcome == null ? 0 : outcome.at().getEpochSecond();
        });
    }

    @Override
    public void start() {
        if (interval.isZero()) {
            LOG.info("The audit trail's self-check is off (audit.seal.selfCheckInterval 0); the verify-audit-trail task still runs it");
            return;
        }
        final long look = Math.min(interval.toMillis(), LOOK_EVERY.toMillis());
        executor.scheduleWithFixedDelay(this::runIfDueQuietly, firstDelay.toMillis(), look, TimeUnit.MILLISECONDS);
    }

    @Override
    public void stop() {
        executor.shutdownNow();
    }

    /** The last check's outcome, if one ran. */
    public Optional<Outcome> last() {
        return Optional.ofNullable(last);
    }

    /** Runs a check when none ran in the last {@code interval} (or none has yet); answers it, or empty when none was due. */
    public synchronized Optional<Outcome> runIfDue() {
        final Outcome previous = last;
        if (interval.isZero() || (previous != null && clock.instant().isBefore(previous.at().plus(interval)))) {
            return Optional.empty();
        }
        return Optional.of(run(null));
    }

    /**
     * Verifies the whole trail now and records the outcome.
     *
     * @param actor who asked (the task's caller), or null for the schedule
     */
    public synchronized Outcome run(Actor actor) {
        final Instant at = clock.instant();
        final long start = System.nanoTime();
        TrailVerification verification = null;
        String error = null;
        try {
            verification = verifier.verify(null, null);
        } catch (RuntimeException e) {
            error = e.getClass().getSimpleName();
            LOG.warn("The audit trail's self-check could not run", e);
        }
        final Duration took = Duration.ofNanos(System.nanoTime() - start);
        duration.update(took);
        final Outcome outcome = new Outcome(at, took, verification, error);
        last = outcome;
        if (outcome.ok()) {
            LOG.info("The audit trail verifies: {} chains, {} digests, {} events in {} ms", verification.chains(),
                    verification.digests(), verification.events(), took.toMillis());
        } else if (verification != null) {
            LOG.error("The audit trail does NOT verify: {}", summary(verification));
        }
        record(outcome, actor);
        return outcome;
    }

    private void record(Outcome outcome, Actor actor) {
        final AuditEvent.Builder event = AuditEvent.builder(AuditEventTypes.AUDIT_VERIFIED,
                        outcome.ok() ? AuditEvent.SUCCESS : AuditEvent.FAILURE, clock.instant())
                .instanceId(instanceId);
        if (!outcome.ok()) {
            event.reason(outcome.verification() == null ? AuditReasons.VERIFICATION_FAILED : AuditReasons.TRAIL_BROKEN);
        }
        if (actor != null) {
            event.actor(actor.who(), actor.surface());
        }
        try {
            audit.record(event.build());
        } catch (RuntimeException e) {
            // refused in reject mode (the journal is full): the metrics and the health check still say it
            LOG.warn("The self-check's audit event was not recorded: {}", e.toString());
        }
    }

    private void runIfDueQuietly() {
        try {
            runIfDue();
        } catch (RuntimeException e) {
            // a scheduled task that throws is never run again
            LOG.warn("The audit trail's self-check failed: {}", e.toString());
        }
    }

    /** The findings counted by kind, e.g. {@code 1 EVENT_CHANGED, 2 EVENT_DELETED}. */
    public static String summary(TrailVerification verification) {
        return verification.counts().entrySet().stream().sorted(Map.Entry.comparingByKey())
                .map(e -> e.getValue() + " " + e.getKey()).collect(Collectors.joining(", "));
    }
}
