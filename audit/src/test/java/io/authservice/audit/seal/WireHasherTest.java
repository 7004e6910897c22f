package io.authservice.audit.seal;

import io.authservice.audit.AuditEvent;
import io.authservice.audit.AuditWireFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Random;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link WireHasher} writes {@link AuditWireFormat#encode}'s bytes, byte for byte: over the wire
 * fixtures, and over many events made from a seeded random source with every field present or
 * absent, every shape of time, and values the fast path hands to Jackson (escapes, non-ASCII, years
 * before 1970 or after 9999, extreme numbers).
 */
class WireHasherTest {
    private static final String[] STRINGS = {"", "a", "api_key.used", "/api/v1/tickets/42/", "203.0.113.7", "2001:db8::1",
            "curl/8.5.0", "tab\there", "quote\"d", "back\\slash", "new\nline", "\u0001", "del\u007f", "caf\u00e9", "\u20ac",
            "\ud83d\ude00", "lone \ud83d", "</script>", "~!@#$%^&*()_+{}|:<>?", "x".repeat(600)};
    private static final Long[] NUMBERS = {0L, 1L, -1L, 42L, 9L, 1000L, Long.MAX_VALUE, Long.MIN_VALUE, Long.MIN_VALUE + 1,
            (long) Integer.MAX_VALUE, (long) Integer.MIN_VALUE};
    private static final Instant[] TIMES = {Instant.EPOCH, Instant.parse("2026-11-25T10:00:00Z"),
            Instant.parse("2026-11-25T10:00:00.123Z"), Instant.parse("2026-11-25T10:00:00.123456Z"),
            Instant.parse("2026-11-25T10:00:00.123456789Z"), Instant.parse("2026-11-25T10:00:00.000001Z"),
            Instant.parse("2026-11-25T10:00:00.100Z"), Instant.parse("2024-02-29T23:59:59.999999999Z"),
            Instant.parse("9999-12-31T23:59:59.999Z"), Instant.parse("1969-12-31T23:59:59Z"), Instant.parse("0001-01-01T00:00:00Z"),
            Instant.parse("+10000-01-01T00:00:00Z"), Instant.MIN, Instant.MAX};

    @ParameterizedTest
    @ValueSource(strings = {"v1-api-key-used.json", "v1-every-field.json"})
    void writesTheFixturesBytes(String fixture) throws IOException {
        final byte[] wire;
        try (InputStream in = WireHasherTest.class.getResourceAsStream("/wire/" + fixture)) {
            wire = new String(in.readAllBytes(), StandardCharsets.UTF_8).strip().getBytes(StandardCharsets.UTF_8);
        }
        final AuditEvent event = AuditWireFormat.decode(wire);

        assertThat(new WireHasher().encode(event)).isEqualTo(wire);
        assertThat(new WireHasher().hash(event)).isEqualTo(SealKey.Sha256.of(wire));
    }

    @Test
    void writesWhatJacksonWritesForEveryShapeOfEvent() {
        final Random random = new Random(12);
        final WireHasher hasher = new WireHasher();
        for (int n = 0; n < 20_000; n++) {
            final AuditEvent event = new AuditEvent(new UUID(random.nextLong(), random.nextLong()),
                    n % 3 == 0 ? TIMES[random.nextInt(TIMES.length)]
                            : Instant.ofEpochSecond(random.nextLong(0, 253_402_300_800L), nanos(random)),
                    STRINGS[random.nextInt(STRINGS.length)], STRINGS[random.nextInt(STRINGS.length)], string(random),
                    number(random), string(random), string(random), number(random), string(random), string(random), string(random),
                    string(random), random.nextBoolean() ? null : (int) (long) NUMBERS[random.nextInt(NUMBERS.length)],
                    string(random), string(random), string(random), string(random), string(random));

            final byte[] jackson = AuditWireFormat.encode(event);

            assertThat(hasher.encode(event)).as("event %d: %s", n, event).isEqualTo(jackson);
            assertThat(hasher.hash(event)).as("event %d", n).isEqualTo(SealKey.Sha256.of(jackson));
        }
    }

    private static int nanos(Random random) {
        return switch (random.nextInt(4)) {
            case 0 -> 0;
            case 1 -> random.nextInt(1000) * 1_000_000;
            case 2 -> random.nextInt(1_000_000) * 1000;
            default -> random.nextInt(1_000_000_000);
        };
    }

    private static String string(Random random) {
        return random.nextInt(3) == 0 ? null : STRINGS[random.nextInt(STRINGS.length)];
    }

    private static Long number(Random random) {
        return random.nextInt(3) == 0 ? null : NUMBERS[random.nextInt(NUMBERS.length)];
    }
}
