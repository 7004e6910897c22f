package io.authservice.core;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** What operators type: durations, key references, scopes. */
class OperatorInputTest {
    @Test
    void durationsInTheUsualShortForms() {
        assertThat(OperatorDurations.parse("90d", "expires_in", false)).isEqualTo(Duration.ofDays(90));
        assertThat(OperatorDurations.parse("24h", "grace", true)).isEqualTo(Duration.ofHours(24));
        assertThat(OperatorDurations.parse(" 30m ", "grace", true)).isEqualTo(Duration.ofMinutes(30));
        assertThat(OperatorDurations.parse("0s", "grace", true)).isZero();
        assertThatThrownBy(() -> OperatorDurations.parse("0s", "expires_in", false)).hasMessageContaining("more than zero");
        assertThatThrownBy(() -> OperatorDurations.parse("soon", "grace", true)).hasMessageContaining("'grace' must be a duration");
        assertThatThrownBy(() -> OperatorDurations.parse("36501d", "grace", true)).hasMessageContaining("at most");
    }

    @Test
    void aKeyIsNamedByIdOrNameNotBoth() {
        assertThat(KeyRef.of("12", null)).isEqualTo(new KeyRef(12L, null));
        assertThat(KeyRef.of(null, " TTS ")).isEqualTo(new KeyRef(null, "TTS"));
        assertThat(KeyRef.of("", "TTS")).isEqualTo(new KeyRef(null, "TTS"));
        assertThatThrownBy(() -> KeyRef.of("1", "TTS")).isInstanceOf(InvalidInputException.class);
        assertThatThrownBy(() -> KeyRef.of(null, " ")).isInstanceOf(InvalidInputException.class);
        assertThatThrownBy(() -> KeyRef.of("0", null)).hasMessageContaining("positive");
        assertThatThrownBy(() -> KeyRef.of("1e3", null)).hasMessageContaining("positive");
    }

    @Test
    void scopesAreValidatedSortedAndDeduplicated() {
        assertThat(Scopes.parse("users:read, employees:read,users:read,,")).containsExactly("employees:read", "users:read");
        assertThat(Scopes.validate(List.of())).isEmpty();
        assertThatThrownBy(() -> Scopes.parse("users:write")).hasMessageContaining("unknown scope 'users:write'");
        assertThat(Scopes.format(List.of("users:read", "audit:read"))).isEqualTo("audit:read,users:read");
    }

    @Test
    void echoedInputIsMadePrintable() {
        assertThat(Text.printable("a\nb\u0000c")).isEqualTo("a?b?c");
        assertThat(Text.printable("x".repeat(100))).hasSize(65).endsWith("…");
    }
}
