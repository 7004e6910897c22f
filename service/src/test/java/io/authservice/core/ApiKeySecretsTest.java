package io.authservice.core;

import org.junit.jupiter.api.Test;

import java.security.SecureRandom;
import java.util.HashSet;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class ApiKeySecretsTest {
    private final ApiKeySecrets secrets = new ApiKeySecrets(new SecureRandom());

    @Test
    void keysAre40LowercaseHexCharactersAndDistinct() {
        final Set<String> seen = new HashSet<>();
        for (int i = 0; i < 1000; i++) {
            final String key = secrets.generate();
            assertThat(key).matches("[0-9a-f]{40}");
            assertThat(ApiKeySecrets.isWellFormed(key)).isTrue();
            seen.add(key);
        }
        assertThat(seen).hasSize(1000);
    }

    @Test
    void onlyTheKeyFormatIsWellFormed() {
        assertThat(ApiKeySecrets.isWellFormed(null)).isFalse();
        assertThat(ApiKeySecrets.isWellFormed("")).isFalse();
        assertThat(ApiKeySecrets.isWellFormed("0".repeat(39))).isFalse();
        assertThat(ApiKeySecrets.isWellFormed("0".repeat(41))).isFalse();
        assertThat(ApiKeySecrets.isWellFormed("A".repeat(40))).isFalse();
        assertThat(ApiKeySecrets.isWellFormed("g".repeat(40))).isFalse();
        assertThat(ApiKeySecrets.isWellFormed(" " + "0".repeat(39))).isFalse();
        assertThat(ApiKeySecrets.isWellFormed("٠".repeat(40))).isFalse(); // Arabic-Indic zero is a digit, not hex
        assertThat(ApiKeySecrets.isWellFormed("0123456789abcdef0123456789abcdef01234567")).isTrue();
    }

    @Test
    void theStoredFormIsTheHexSha256() {
        // sha256("0123456789abcdef0123456789abcdef01234567"), computed independently with sha256sum
        assertThat(ApiKeySecrets.hash("0123456789abcdef0123456789abcdef01234567"))
                .isEqualTo(EXPECTED_SHA256);
        assertThat(ApiKeySecrets.prefix("0123456789abcdef0123456789abcdef01234567")).isEqualTo("01234567");
    }

    @Test
    void aHashDependsOnlyOnItsKeyWhenTheThreadHashedAnotherBefore() {
        ApiKeySecrets.hash("ffffffffffffffffffffffffffffffffffffffff");
        assertThat(ApiKeySecrets.hash("0123456789abcdef0123456789abcdef01234567")).isEqualTo(EXPECTED_SHA256);
        assertThat(ApiKeySecrets.hash("0123456789abcdef0123456789abcdef01234567")).isEqualTo(EXPECTED_SHA256);
    }

    private static final String EXPECTED_SHA256 = "deb87fabd17715bb31ad4cf4ffb9494eeb15f8d33d85b031a301c64ab3417eaa";
}
