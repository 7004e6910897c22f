package io.authservice.auditconsumer;

import com.codahale.metrics.health.HealthCheck;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Healthy while every consumer thread is running and has come back from a poll within the bound
 * ({@code kafka.healthPollTimeout}); unhealthy while one is restarting after a failure, has ended,
 * or is stuck (in a commit, or retrying a store that is down).
 */
public final class ConsumerThreadsHealthCheck extends HealthCheck {
    private final Supplier<List<AuditConsumerLoop.Status>> threads;
    private final Clock clock;
    private final Duration bound;

    public ConsumerThreadsHealthCheck(Supplier<List<AuditConsumerLoop.Status>> threads, Clock clock, Duration bound) {
        this.threads = threads;
        this.clock = clock;
        this.bound = bound;
    }

    @Override
    protected Result check() {
        final List<AuditConsumerLoop.Status> statuses = threads.get();
        if (statuses.isEmpty()) {
            return Result.unhealthy("no consumer thread is running");
        }
        final List<String> problems = new ArrayList<>();
        long restarts = 0;
        for (AuditConsumerLoop.Status status : statuses) {
            restarts += status.restarts();
            problem(status).ifPresent(problems::add);
        }
        if (!problems.isEmpty()) {
            return Result.unhealthy(String.join("; ", problems));
        }
        return Result.healthy(statuses.size() + " consumer thread(s) polling; " + restarts + " restart(s) since start");
    }

    private Optional<String> problem(AuditConsumerLoop.Status status) {
        final String failure = status.lastFailure() == null ? "" : " (last failure: " + status.lastFailure() + ")";
        return switch (status.state()) {
            case RESTARTING -> Optional.of(status.name() + " is restarting after a failure, restart "
                    + status.restarts() + failure);
            case ENDED -> Optional.of(status.name() + " has ended" + failure);
            case STOPPED -> Optional.of(status.name() + " is stopped");
            case RUNNING -> {
                final Duration since = Duration.between(status.lastPoll(), clock.instant());
                yield since.compareTo(bound) > 0
                        ? Optional.of(status.name() + " has not come back from a poll for " + since.toSeconds()
                        + " s (more than " + bound.toSeconds() + " s)")
                        : Optional.empty();
            }
        };
    }
}
