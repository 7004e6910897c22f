package io.authservice.tasks;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.authservice.config.AdminConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class AdminTokensTest {
    private static AdminConfig config(String token, Path file) {
        return new ObjectMapper().convertValue(Map.of("tokenFile", file.toString(),
                "token", token == null ? "" : token), AdminConfig.class);
    }

    @Test
    void withoutATokenOneIsCreatedReadableByItsOwnerOnlyAndReused(@TempDir Path dir) throws Exception {
        final Path file = dir.resolve("data").resolve("admin-token");

        final String first = AdminTokens.resolve(config(null, file), new SecureRandom());
        final String second = AdminTokens.resolve(config(null, file), new SecureRandom());

        assertThat(first).matches("[0-9a-f]{64}").isEqualTo(second);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
    }

    @Test
    void aConfiguredTokenWinsAndNoFileIsWritten(@TempDir Path dir) {
        final Path file = dir.resolve("admin-token");
        assertThat(AdminTokens.resolve(config("  from-the-environment ", file), new SecureRandom()))
                .isEqualTo("from-the-environment");
        assertThat(file).doesNotExist();
    }
}
