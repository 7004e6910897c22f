package io.authservice.tasks;

import io.authservice.config.AdminConfig;
import io.authservice.config.SecretFiles;

import java.security.SecureRandom;

/**
 * Finds the admin token: {@code admin.token} (from {@code AUTH_ADMIN_TOKEN}) when set, otherwise
 * the token file, which is created with a fresh random token, readable by its owner only, on first start.
 */
public final class AdminTokens {
    private AdminTokens() {
    }

    public static String resolve(AdminConfig config, SecureRandom random) {
        return SecretFiles.resolve(config.getToken(), config.getTokenFile(), random, "admin token");
    }
}
