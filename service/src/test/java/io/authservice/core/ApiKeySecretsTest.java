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

    @Test
    void prefixedKeysCarryThePrefixA43DigitBodyAndASixDigitChecksum() {
        final ApiKeySecrets prefixed = new ApiKeySecrets(new SecureRandom(), ApiKeySecrets.Format.prefixed, "authsvc");
        final Set<String> seen = new HashSet<>();
        for (int i = 0; i < 1000; i++) {
            final String key = prefixed.generate();
            assertThat(key).matches(ApiKeySecrets.scannerPattern("authsvc")).hasSize("authsvc_".length() + 49);
            assertThat(ApiKeySecrets.isWellFormed(key)).isTrue();
            assertThat(ApiKeySecrets.isPrefixed(key)).isTrue();
            assertThat(ApiKeySecrets.isHex40(key)).isFalse();
            // the display prefix comes from the random part, so it tells keys apart
            assertThat(ApiKeySecrets.prefix(key)).hasSize(ApiKeySecrets.PREFIX_LENGTH)
                    .isEqualTo(key.substring("authsvc_".length(), "authsvc_".length() + 8));
            seen.add(key);
        }
        assertThat(seen).hasSize(1000);
        assertThat(seen.stream().map(ApiKeySecrets::prefix).distinct().count()).isGreaterThan(990);
    }

    @Test
    void theChecksumIsTheCrc32OfTheBodyInBase62() {
        final String body = "0".repeat(42) + "1";
        final java.util.zip.CRC32 crc = new java.util.zip.CRC32();
        crc.update(body.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        final String key = "ab_" + body + Base62.encode(crc.getValue(), 6);
        assertThat(ApiKeySecrets.isWellFormed(key)).isTrue();
        assertThat(ApiKeySecrets.scannerPattern("ab")).isEqualTo("ab_[0-9A-Za-z]{49}");
    }

    @Test
    void aPrefixedKeyWithOneCharacterChangedOrMissingIsMalformed() {
        final String key = new ApiKeySecrets(new SecureRandom(), ApiKeySecrets.Format.prefixed, "tts2").generate();
        for (int i = "tts2_".length(); i < key.length(); i++) {
            final char c = key.charAt(i);
            final String typo = key.substring(0, i) + (c == 'a' ? 'b' : 'a') + key.substring(i + 1);
            assertThat(ApiKeySecrets.isWellFormed(typo)).as("changed at %d", i).isFalse();
            assertThat(ApiKeySecrets.isWellFormed(key.substring(0, i) + key.substring(i + 1))).as("dropped at %d", i).isFalse();
        }
        assertThat(ApiKeySecrets.isWellFormed(key + "0")).isFalse();
        assertThat(ApiKeySecrets.isWellFormed(key.toUpperCase(java.util.Locale.ROOT))).isFalse();
        assertThat(ApiKeySecrets.isWellFormed(key.replace('_', '-'))).isFalse();
        assertThat(ApiKeySecrets.isWellFormed("TTS2" + key.substring(4))).isFalse();
        assertThat(ApiKeySecrets.isWellFormed("x" + key.substring(key.indexOf('_')))).isFalse();  // prefix too short
        assertThat(ApiKeySecrets.isWellFormed("a".repeat(17) + key.substring(key.indexOf('_')))).isFalse();
        assertThat(ApiKeySecrets.isWellFormed("_" + key.substring(key.indexOf('_') + 1))).isFalse();
        // the same body and checksum under another valid prefix is still a well-formed key (prefixes may change)
        assertThat(ApiKeySecrets.isWellFormed("other" + key.substring(key.indexOf('_')))).isTrue();
    }

    @Test
    void aPrefixThatIsNotTwoToSixteenLowercaseLettersAndDigitsIsRefused() {
        for (String bad : new String[] {null, "", "a", "Auth", "auth_svc", "a".repeat(17), "authsvc-1"}) {
            org.assertj.core.api.Assertions.assertThatThrownBy(
                    () -> new ApiKeySecrets(new SecureRandom(), ApiKeySecrets.Format.prefixed, bad))
                    .as(String.valueOf(bad)).isInstanceOf(IllegalArgumentException.class);
        }
        assertThat(new ApiKeySecrets(new SecureRandom(), ApiKeySecrets.Format.prefixed, "a".repeat(16)).generate())
                .startsWith("a".repeat(16) + "_");
    }

    @Test
    void base62IsFixedWidthBigEndian() {
        assertThat(Base62.encode(0, 6)).isEqualTo("000000");
        assertThat(Base62.encode(61, 2)).isEqualTo("0z");
        assertThat(Base62.encode(62, 2)).isEqualTo("10");
        assertThat(Base62.encode(0xFFFFFFFFL, 6)).isEqualTo("4gfFC3");
        assertThat(Base62.decode("4gfFC3", 0, 6)).isEqualTo(0xFFFFFFFFL);
        assertThat(Base62.decode("4g-FC3", 0, 6)).isEqualTo(-1);
        assertThat(Base62.encode(new byte[] {1, 0}, 2)).isEqualTo("48");  // 256 = 4 * 62 + 8
        final byte[] max = new byte[32];
        java.util.Arrays.fill(max, (byte) 0xFF);
        assertThat(Base62.encode(max, 43)).hasSize(43);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> Base62.encode(max, 42))
                .isInstanceOf(IllegalArgumentException.class);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> Base62.encode(62 * 62, 2))
                .isInstanceOf(IllegalArgumentException.class);
    }

    private static final String EXPECTED_SHA256 = "deb87fabd17715bb31ad4cf4ffb9494eeb15f8d33d85b031a301c64ab3417eaa";
}
