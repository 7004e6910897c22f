package io.authservice.audit;

import org.junit.jupiter.api.Test;

import java.sql.SQLException;
import java.time.DateTimeException;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

class AuditStoreTest {
    @Test
    void aDataErrorOrIntegrityViolationAnywhereInTheCausesIsARefusal() {
        final RuntimeException outOfRange = new IllegalStateException("wrapped",
                new RuntimeException(new SQLException("timestamp out of range", "22008")));
        assertThat(AuditStore.refusal(outOfRange)).contains("22008 timestamp out of range");
        assertThat(AuditStore.refusal(new SQLException("null value in column", "23502"))).contains("23502 null value in column");
        assertThat(AuditStore.refusal(new RuntimeException(new DateTimeException("Invalid value for EpochDay"))))
                .contains("value out of range: Invalid value for EpochDay");
    }

    @Test
    void aLostConnectionABusyDatabaseOrNoSqlStateIsNoRefusal() {
        assertThat(AuditStore.refusal(new RuntimeException(new SQLException("connection lost", "08006")))).isEmpty();
        assertThat(AuditStore.refusal(new SQLException("deadlock detected", "40P01"))).isEmpty();
        assertThat(AuditStore.refusal(new SQLException("no state"))).isEmpty();
        assertThat(AuditStore.refusal(new IllegalStateException("not from the database"))).isEmpty();
    }

    @Test
    void theStoredFormCutsEachStringToItsColumnAndReplacesNul() {
        final AuditEvent event = AuditEvent.builder(AuditEventTypes.API_KEY_USED, AuditEvent.SUCCESS,
                Instant.parse("2026-11-30T10:00:00.123456789Z")).request("a\u0000b", "x".repeat(3000), "GET", "/p").build();
        final AuditEvent fitted = AuditStore.fit(event);
        assertThat(fitted.occurredAt()).isEqualTo(Instant.parse("2026-11-30T10:00:00.123456Z"));
        assertThat(fitted.clientAddress()).isEqualTo("a\uFFFDb");
        assertThat(fitted.userAgent()).hasSize(2048);
        assertThat(fitted.path()).isEqualTo("/p");
    }
}
