package io.authservice.audit;

import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class AuditEventTest {
    private static AuditEvent event() {
        return AuditEvent.builder(AuditEventTypes.API_KEY_USED, AuditEvent.SUCCESS, Instant.EPOCH).build();
    }

    @Test
    void idsAreVersion7AndUniqueAcrossThreads() {
        final Set<UUID> ids = ConcurrentHashMap.newKeySet();
        IntStream.range(0, 100_000).parallel().forEach(i -> ids.add(event().id()));
        assertThat(ids).hasSize(100_000);
        assertThat(ids).allSatisfy(id -> {
            assertThat(id.version()).isEqualTo(7);
            assertThat(id.variant()).isEqualTo(2);
        });
    }

    @Test
    void idsSortInTheOrderTheEventsHappened() {
        final Instant start = Instant.parse("2026-11-25T10:00:00Z");
        final List<UUID> ids = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            ids.add(AuditEvent.builder(AuditEventTypes.API_KEY_USED, AuditEvent.SUCCESS, start.plusMillis(i * 7L)).build().id());
        }
        final List<UUID> sorted = new ArrayList<>(ids);
        sorted.sort((x, y) -> Long.compareUnsigned(x.getMostSignificantBits(), y.getMostSignificantBits()));
        assertThat(sorted).containsExactlyElementsOf(ids);
        // the first 48 bits are the event's millisecond
        assertThat(ids.get(0).getMostSignificantBits() >>> 16).isEqualTo(start.toEpochMilli());
    }

    @Test
    void theRequiredFieldsAreRequired() {
        assertThatThrownBy(() -> AuditEvent.builder(null, AuditEvent.SUCCESS, Instant.EPOCH).build())
                .isInstanceOf(NullPointerException.class).hasMessage("type");
    }
}
