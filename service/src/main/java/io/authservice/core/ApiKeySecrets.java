package io.authservice.core;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * The key format of the original service (40 lowercase hex characters, 160 random bits) and how it
 * is stored: the SHA-256 of the key plus a short display prefix. A fast hash is right here: the key
 * is a random 160-bit value, not a password, and it is checked on every request.
 */
public final class ApiKeySecrets {
    /** Characters in a key. */
    public static final int LENGTH = 40;
    /** Characters of the key kept for display ("a1b2c3d4…"), enough to tell keys apart, useless to an attacker. */
    public static final int PREFIX_LENGTH = 8;

    private static final int RANDOM_BYTES = LENGTH / 2;
    private static final HexFormat HEX = HexFormat.of();

    private final SecureRandom random;

    public ApiKeySecrets(SecureRandom random) {
        this.random = random;
    }

    /** A new key: 20 bytes from {@link SecureRandom} as 40 lowercase hex characters. */
    public String generate() {
        final byte[] bytes = new byte[RANDOM_BYTES];
        random.nextBytes(bytes);
        return HEX.formatHex(bytes);
    }

    /** True if {@code value} has the key format; checked before any lookup. */
    public static boolean isWellFormed(String value) {
        if (value == null || value.length() != LENGTH) {
            return false;
        }
        for (int i = 0; i < LENGTH; i++) {
            final char c = value.charAt(i);
            if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
                return false;
            }
        }
        return true;
    }

    /**
     * One SHA-256 per thread: looking the algorithm up among the security providers costs more than
     * hashing a key, and every key-authenticated request hashes one. {@code digest()} resets it.
     */
    private static final ThreadLocal<MessageDigest> SHA_256 = ThreadLocal.withInitial(() -> {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    });

    /** The stored form of a key: lowercase hex SHA-256 of its ASCII characters. */
    public static String hash(String key) {
        return HEX.formatHex(SHA_256.get().digest(key.getBytes(StandardCharsets.US_ASCII)));
    }

    /** The display prefix of a key. */
    public static String prefix(String key) {
        return key.substring(0, PREFIX_LENGTH);
    }
}
