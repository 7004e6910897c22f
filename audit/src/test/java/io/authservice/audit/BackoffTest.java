package io.authservice.audit;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BackoffTest {
    @Test
    void waitsDoubleUpToTheMaximumAndStartAgainAfterAReset() {
        final Backoff backoff = new Backoff(Duration.ofMillis(100), Duration.ofMillis(500));
        assertThat(backoff.nextDelayMillis()).isEqualTo(100);
        assertThat(backoff.nextDelayMillis()).isEqualTo(200);
        assertThat(backoff.nextDelayMillis()).isEqualTo(400);
        assertThat(backoff.nextDelayMillis()).isEqualTo(500);
        assertThat(backoff.nextDelayMillis()).isEqualTo(500);
        backoff.reset();
        assertThat(backoff.nextDelayMillis()).isEqualTo(100);
    }

    @Test
    void theInitialWaitIsAtLeastAMillisecondAndAtMostTheMaximum() {
        assertThatThrownBy(() -> new Backoff(Duration.ZERO, Duration.ofSeconds(1))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Backoff(Duration.ofSeconds(2), Duration.ofSeconds(1))).isInstanceOf(IllegalArgumentException.class);
        assertThat(new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(1)).nextDelayMillis()).isEqualTo(1000);
    }
}
