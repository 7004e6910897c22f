package io.authservice.tasks;

import io.authservice.config.AdminConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * Finds the admin token: {@code admin.token} (from {@code AUTH_ADMIN_TOKEN}) when set, otherwise
 * the token file, which is created with a fresh random token, readable by its owner only, on first start.
 */
public final class AdminTokens {
    private static final Logger LOG = LoggerFactory.getLogger(AdminTokens.class);

    private AdminTokens() {
    }

    public static String resolve(AdminConfig config, SecureRandom random) {
        if (config.getToken() != null && !config.getToken().isBlank()) {
            return config.getToken().trim();
        }
        final Path file = config.getTokenFile();
        try {
            if (Files.notExists(file)) {
                create(file, random);
            }
            final String token = Files.readString(file, StandardCharsets.UTF_8).trim();
            if (token.isEmpty()) {
                throw new IllegalStateException("the admin token file " + file + " is empty");
            }
            return token;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read or create the admin token file " + file, e);
        }
    }

    private static void create(Path file, SecureRandom random) throws IOException {
        final Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        final byte[] bytes = new byte[32];
        random.nextBytes(bytes);
        try {
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (FileAlreadyExistsException raced) {
            return; // another process on the same data directory made it first
        } catch (UnsupportedOperationException notPosix) {
            Files.createFile(file);
        }
        Files.writeString(file, HexFormat.of().formatHex(bytes) + "\n", StandardCharsets.UTF_8);
        LOG.info("Created the admin token in {} (readable by its owner only); send it as X-Admin-Token", file);
    }
}
