package io.authservice.audit;

import org.junit.jupiter.api.Test;

import java.sql.SQLException;

import static org.assertj.core.api.Assertions.assertThat;

class SqlStatesTest {
    @Test
    void findsAUniqueViolationAnywhereInTheCauseChain() {
        assertThat(SqlStates.isUniqueViolation(new SQLException("duplicate key", "23505"))).isTrue();
        assertThat(SqlStates.isUniqueViolation(
                new RuntimeException(new IllegalStateException(new SQLException("duplicate key", "23505"))))).isTrue();
    }

    @Test
    void otherStatesAndMissingStatesAreNotUniqueViolations() {
        assertThat(SqlStates.isUniqueViolation(new SQLException("null value", "23502"))).isFalse();
        assertThat(SqlStates.isUniqueViolation(new SQLException("no state"))).isFalse();
        assertThat(SqlStates.isUniqueViolation(new RuntimeException("not from the database"))).isFalse();
    }

    @Test
    void firstCauseReturnsTheOutermostMatch() {
        final SQLException inner = new SQLException("inner", "22008");
        final SQLException outer = new SQLException("outer", "23505", inner);
        assertThat(SqlStates.firstCause(new RuntimeException(outer), t -> SqlStates.hasState(t, s -> s.startsWith("2"))))
                .containsSame(outer);
    }
}
