package io.authservice.auditconsumer;

import com.codahale.metrics.health.HealthCheck;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;

import static io.authservice.auditconsumer.AuditConsumerLoop.State.ENDED;
import static io.authservice.auditconsumer.AuditConsumerLoop.State.RESTARTING;
import static io.authservice.auditconsumer.AuditConsumerLoop.State.RUNNING;
import static io.authservice.auditconsumer.AuditConsumerLoop.State.STOPPED;
import static org.assertj.core.api.Assertions.assertThat;

/** The verdict on the consumer threads, at a time the test sets. */
class ConsumerThreadsHealthCheckTest {
    private static final Instant POLLED = Instant.parse("2026-12-01T10:00:00Z");
    private static final Duration BOUND = Duration.ofSeconds(30);

    @Test
    void threadsThatPolledWithinTheBoundAreHealthy() {
        final HealthCheck.Result result = check(POLLED.plusSeconds(30),
                status("audit-consumer-0", RUNNING, 0, null), status("audit-consumer-1", RUNNING, 2, "TimeoutException: x"));
        assertThat(result.isHealthy()).as(result.getMessage()).isTrue();
        assertThat(result.getMessage()).isEqualTo("2 consumer thread(s) polling; 2 restart(s) since start");
    }

    @Test
    void aThreadThatHasNotComeBackFromAPollWithinTheBoundIsUnhealthy() {
        final HealthCheck.Result result = check(POLLED.plusSeconds(31),
                status("audit-consumer-0", RUNNING, 0, null));
        assertThat(result.isHealthy()).isFalse();
        assertThat(result.getMessage()).isEqualTo("audit-consumer-0 has not come back from a poll for 31 s (more than 30 s)");
    }

    @Test
    void aThreadThatIsRestartingEndedOrStoppedIsUnhealthyAndEachOneIsNamed() {
        final HealthCheck.Result result = check(POLLED.plusSeconds(1),
                status("audit-consumer-0", RUNNING, 0, null),
                status("audit-consumer-1", RESTARTING, 3, "org.apache.kafka.common.errors.TimeoutException: commit"),
                status("audit-consumer-2", ENDED, 0, "java.lang.OutOfMemoryError"),
                status("audit-consumer-3", STOPPED, 0, null));
        assertThat(result.isHealthy()).isFalse();
        assertThat(result.getMessage()).isEqualTo("audit-consumer-1 is restarting after a failure, restart 3"
                + " (last failure: org.apache.kafka.common.errors.TimeoutException: commit); audit-consumer-2 has ended"
                + " (last failure: java.lang.OutOfMemoryError); audit-consumer-3 is stopped");
    }

    @Test
    void noThreadAtAllIsUnhealthy() {
        assertThat(check(POLLED).isHealthy()).isFalse();
    }

    private static HealthCheck.Result check(Instant now, AuditConsumerLoop.Status... statuses) {
        return new ConsumerThreadsHealthCheck(() -> List.of(statuses), Clock.fixed(now, ZoneOffset.UTC), BOUND).execute();
    }

    private static AuditConsumerLoop.Status status(String name, AuditConsumerLoop.State state, long restarts, String failure) {
        return new AuditConsumerLoop.Status(name, state, POLLED, restarts, failure);
    }
}
