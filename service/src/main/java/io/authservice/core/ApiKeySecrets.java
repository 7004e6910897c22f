package io.authservice.core;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Objects;
import java.util.zip.CRC32;

/**
 * The key formats and how a key is stored: the SHA-256 of the key plus a short display prefix. A
 * fast hash is right here: the key is a random value of 160 or 256 bits, not a password, and it is
 * checked on every request.
 *
 * <ul>
 *   <li>{@code hex40}, the original service's and the default: 40 lowercase hex characters (20 random bytes).
 *   <li>{@code prefixed}, for secret scanners: {@code <prefix>_<body><checksum>}, the prefix configured
 *       ({@value #PREFIX_PATTERN}), the body 32 random bytes in {@value #BODY_LENGTH} base62 digits, the
 *       checksum the CRC32 of the body's characters in {@value #CHECKSUM_LENGTH} base62 digits. A typo or
 *       a truncated copy fails the checksum and is refused without a lookup.
 * </ul>
 * Both formats are accepted whatever new keys are made as, and a prefixed key under any valid prefix,
 * so a team migrates by rotation and may change the prefix later.
 */
public final class ApiKeySecrets {
    /** The format of new keys. */
    public enum Format { hex40, prefixed }

    /** What a configured prefix must match. */
    public static final String PREFIX_PATTERN = "[a-z0-9]{2,16}";
    /** Characters in a {@code hex40} key. */
    public static final int LENGTH = 40;
    /** Characters of the key kept for display ("a1b2c3d4…"), enough to tell keys apart, useless to an attacker. */
    public static final int PREFIX_LENGTH = 8;
    /** Base62 digits of a prefixed key's random part (32 bytes need 43). */
    public static final int BODY_LENGTH = 43;
    /** Base62 digits of a prefixed key's checksum (a CRC32 needs 6). */
    public static final int CHECKSUM_LENGTH = 6;

    private static final int RANDOM_BYTES = LENGTH / 2;
    private static final int PREFIXED_RANDOM_BYTES = 32;
    private static final int MIN_PREFIX = 2;
    private static final int MAX_PREFIX = 16;
    private static final HexFormat HEX = HexFormat.of();

    private final SecureRandom random;
    private final Format format;
    private final String keyPrefix;

    /** New keys in the {@code hex40} format. */
    public ApiKeySecrets(SecureRandom random) {
        this(random, Format.hex40, "authsvc");
    }

    /** @param keyPrefix the start of {@code prefixed} keys, before the underscore (checked even under hex40) */
    public ApiKeySecrets(SecureRandom random, Format format, String keyPrefix) {
        this.random = random;
        this.format = Objects.requireNonNull(format, "format");
        if (keyPrefix == null || !keyPrefix.matches(PREFIX_PATTERN)) {
            throw new IllegalArgumentException("the key prefix must be 2-16 lowercase letters and digits");
        }
        this.keyPrefix = keyPrefix;
    }

    /** A new key in the configured format, from {@link SecureRandom}. */
    public String generate() {
        if (format == Format.hex40) {
            final byte[] bytes = new byte[RANDOM_BYTES];
            random.nextBytes(bytes);
            return HEX.formatHex(bytes);
        }
        final byte[] bytes = new byte[PREFIXED_RANDOM_BYTES];
        random.nextBytes(bytes);
        final String body = Base62.encode(bytes, BODY_LENGTH);
        return keyPrefix + "_" + body + Base62.encode(checksum(body, 0, body.length()), CHECKSUM_LENGTH);
    }

    /**
     * The regular expression that finds a prefixed key with {@code keyPrefix} in text, for a secret
     * scanner (a GitHub custom pattern, gitleaks, trufflehog).
     */
    public static String scannerPattern(String keyPrefix) {
        return keyPrefix + "_[0-9A-Za-z]{" + (BODY_LENGTH + CHECKSUM_LENGTH) + "}";
    }

    /** True if {@code value} has either key format (a prefixed key with a matching checksum); checked before any lookup. */
    public static boolean isWellFormed(String value) {
        return isHex40(value) || isPrefixed(value);
    }

    /** True if {@code value} is 40 lowercase hex characters. */
    public static boolean isHex40(String value) {
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

    /** True if {@code value} is a prefixed key, under any valid prefix, whose checksum matches its body. */
    public static boolean isPrefixed(String value) {
        if (value == null) {
            return false;
        }
        final int underscore = bodyStart(value) - 1;
        if (underscore < MIN_PREFIX || underscore > MAX_PREFIX
                || value.length() != underscore + 1 + BODY_LENGTH + CHECKSUM_LENGTH) {
            return false;
        }
        for (int i = 0; i < underscore; i++) {
            final char c = value.charAt(i);
            if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z'))) {
                return false;
            }
        }
        final int body = underscore + 1;
        final int sum = body + BODY_LENGTH;
        for (int i = body; i < sum; i++) {
            if (Base62.digit(value.charAt(i)) < 0) {
                return false;
            }
        }
        final long stated = Base62.decode(value, sum, value.length());
        return stated >= 0 && stated == checksum(value, body, sum);
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

    /**
     * The display prefix of a well-formed key: its first {@value #PREFIX_LENGTH} characters, or for a
     * prefixed key the first {@value #PREFIX_LENGTH} of its random part (the part before the
     * underscore is the same for every key).
     */
    public static String prefix(String key) {
        final int start = key.length() == LENGTH ? 0 : bodyStart(key);
        return key.substring(start, start + PREFIX_LENGTH);
    }

    /** Where a prefixed key's random part starts (just past its underscore), or 0 when there is no underscore in reach. */
    private static int bodyStart(String value) {
        final int limit = Math.min(value.length(), MAX_PREFIX + 1);
        for (int i = 0; i < limit; i++) {
            if (value.charAt(i) == '_') {
                return i + 1;
            }
        }
        return 0;
    }

    private static long checksum(String text, int from, int to) {
        final CRC32 crc = new CRC32();
        for (int i = from; i < to; i++) {
            crc.update(text.charAt(i));  // base62 characters are ASCII: one byte each
        }
        return crc.getValue();
    }
}
