package io.authservice.auth;

import io.authservice.testing.TestApps;
import org.junit.jupiter.api.Test;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class KeyFingerprintsTest {
    private static final String KEY = "0123456789abcdef0123456789abcdef01234567";
    private final KeyFingerprints fingerprints = new KeyFingerprints(TestApps.FINGERPRINT_SECRET);

    @Test
    void isTheFirst128BitsOfHmacSha256InHex() {
        // python3: hmac.new(secret, key, hashlib.sha256).hexdigest()[:32]
        assertThat(fingerprints.of(KEY)).isEqualTo("190d00186355997b4a99d1ffdb038820");
    }

    @Test
    void theSameValueGivesTheSameFingerprintAndOthersDiffer() {
        assertThat(fingerprints.of(KEY)).isEqualTo(fingerprints.of(KEY)).isEqualTo(new KeyFingerprints(TestApps.FINGERPRINT_SECRET).of(KEY));
        assertThat(fingerprints.of("f".repeat(40))).isNotEqualTo(fingerprints.of(KEY));
        assertThat(fingerprints.of("not-a-key")).matches("[0-9a-f]{32}").doesNotContain("not-a-key");
    }

    @Test
    void anotherSecretGivesAnotherFingerprint() {
        assertThat(new KeyFingerprints("another-secret-of-at-least-32-characters").of(KEY)).isNotEqualTo(fingerprints.of(KEY));
    }

    @Test
    void nothingPresentedHasNoFingerprint() {
        assertThat(fingerprints.of(null)).isNull();
        assertThat(fingerprints.of("")).isNull();
    }

    @Test
    void aShortSecretIsRefused() {
        assertThatThrownBy(() -> new KeyFingerprints("short")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("at least 32 characters");
        assertThatThrownBy(() -> new KeyFingerprints(null)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void manyThreadsAgree() {
        final Set<String> seen = ConcurrentHashMap.newKeySet();
        IntStream.range(0, 2_000).parallel().forEach(i -> seen.add(fingerprints.of(KEY)));
        assertThat(seen).isEqualTo(Set.of(fingerprints.of(KEY)));
    }
}
