package io.authservice.audit.seal;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SealKeysTest {
    @TempDir
    Path dir;

    @Test
    void aKeyFileIsCreatedOwnerOnlyOnFirstStartAndReadAfterwards() throws Exception {
        final SealConfig config = new SealConfig();
        config.setKeyFile(dir.resolve("data/audit-seal.key"));

        final SealKeys first = SealKeys.load(config);
        final SealKeys again = SealKeys.load(config);

        assertThat(again.signing().keyId()).isEqualTo(first.signing().keyId()).startsWith("ed25519:");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(config.getKeyFile()))).isEqualTo("rw-------");
        assertThat(again.trusted().keys()).containsOnlyKeys(first.signing().keyId());
        assertThat(first.signing().toString()).doesNotContain(first.signing().privateBase64());
    }

    @Test
    void aRotatedKeyLeavesTheOldPublicKeyTrusted() throws Exception {
        final SealConfig config = new SealConfig();
        config.setKeyFile(dir.resolve("audit-seal.key"));
        final String old = SealKeys.load(config).signing().keyId();

        Files.delete(config.getKeyFile());
        final SealKeys rotated = SealKeys.load(config);

        assertThat(rotated.signing().keyId()).isNotEqualTo(old);
        assertThat(rotated.trusted().keys()).containsOnlyKeys(old, rotated.signing().keyId());
    }

    @Test
    void aConfiguredKeyAndTrustedKeysAreUsedAndNoFileIsWritten() {
        final SealKey key = SealKey.generate();
        final SealKey other = SealKey.generate();
        final SealConfig config = new SealConfig();
        config.setKey(SealKeys.toPem(key));
        config.setKeyFile(dir.resolve("unused.key"));
        config.setTrustedKeys(List.of(SealKeys.publicPem(other.publicBase64()), SealKey.generate().publicBase64()));

        final SealKeys keys = SealKeys.load(config);

        assertThat(keys.signing().keyId()).isEqualTo(key.keyId());
        assertThat(keys.trusted().keys()).hasSize(3).containsKeys(key.keyId(), other.keyId());
        assertThat(Files.exists(config.getKeyFile())).isFalse();
    }

    @Test
    void aKeyWhosePublicPartIsAnotherKeysIsRefused() throws Exception {
        final SealKey key = SealKey.generate();
        final String pem = SealKeys.toPem(key).replace(key.publicBase64(), SealKey.generate().publicBase64());
        Files.writeString(dir.resolve("bad.key"), pem, StandardCharsets.US_ASCII);
        final SealConfig config = new SealConfig();
        config.setKeyFile(dir.resolve("bad.key"));

        assertThatThrownBy(() -> SealKeys.load(config)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("its PUBLIC KEY is not the PRIVATE KEY's");
    }
}
