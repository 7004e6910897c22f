package io.authservice.config;

import io.authservice.audit.OwnerOnlyFiles;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * Secrets the service needs but an operator need not provide: a value from the configuration (an
 * environment variable) when one is set, otherwise a file under the data directory that is created,
 * readable by its owner only, with fresh random bytes on first start. The embedded default runs
 * with nothing set; production sets the value (or shares the file) so every instance agrees.
 */
public final class SecretFiles {
    private static final Logger LOG = LoggerFactory.getLogger(SecretFiles.class);
    /** Random bytes in a generated secret (written as 64 hex characters). */
    private static final int GENERATED_BYTES = 32;

    private SecretFiles() {
    }

    /**
     * The configured value (trimmed) when it is not blank; otherwise the contents of {@code file},
     * which is created with {@value #GENERATED_BYTES} random bytes in hex when it does not exist.
     *
     * @param what names the secret in log lines and errors, e.g. "admin token"
     */
    public static String resolve(String configured, Path file, SecureRandom random, String what) {
        if (configured != null && !configured.isBlank()) {
            return configured.trim();
        }
        try {
            if (Files.notExists(file) && OwnerOnlyFiles.createWith(file, generated(random))) {
                LOG.info("Created the {} in {} (readable by its owner only)", what, file);
            }
            final String secret = Files.readString(file, StandardCharsets.UTF_8).trim();
            if (secret.isEmpty()) {
                throw new IllegalStateException("the " + what + " file " + file + " is empty");
            }
            return secret;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read or create the " + what + " file " + file, e);
        }
    }

    private static byte[] generated(SecureRandom random) {
        final byte[] bytes = new byte[GENERATED_BYTES];
        random.nextBytes(bytes);
        return (HexFormat.of().formatHex(bytes) + "\n").getBytes(StandardCharsets.UTF_8);
    }
}
