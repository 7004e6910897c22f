package io.authservice.auth;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * The fingerprint of a value presented in {@code X-API-Key} that failed: HMAC-SHA256 under a server
 * secret, its first 128 bits in lower-case hex (32 characters). The same value always gives the
 * same fingerprint, so the security team can group repeated attempts with one bad key, across
 * instances that share the secret, without the trail holding the value. Keyed, unlike a plain hash:
 * whoever reads the store cannot confirm a guessed value (a short malformed one, or a leaked key)
 * without the secret.
 *
 * <p>128 bits (RFC 2104 allows truncation to half the output) keeps exports and queries short; a
 * chance collision needs about 2^64 distinct values.
 */
public final class KeyFingerprints {
    /** A configured secret shorter than this is refused: the fingerprint is only as strong as its secret. */
    public static final int MIN_SECRET_LENGTH = 32;
    private static final String ALGORITHM = "HmacSHA256";
    private static final int BYTES = 16;

    private final SecretKeySpec key;
    /** {@link Mac} is not thread-safe; one per request thread, reused ({@code doFinal} resets it). */
    private final ThreadLocal<Mac> macs;

    /** @param secret used as its UTF-8 bytes; at least {@value #MIN_SECRET_LENGTH} characters */
    public KeyFingerprints(String secret) {
        if (secret == null || secret.length() < MIN_SECRET_LENGTH) {
            throw new IllegalArgumentException("the audit fingerprint secret must be at least " + MIN_SECRET_LENGTH
                    + " characters (AUTH_AUDIT_FINGERPRINT_SECRET, or leave it empty to generate one)");
        }
        this.key = new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), ALGORITHM);
        this.macs = ThreadLocal.withInitial(this::newMac);
        newMac(); // fail at start, not on the first failed attempt
    }

    /** The fingerprint of {@code presented}, or null when nothing was presented (absent or empty). */
    public String of(String presented) {
        if (presented == null || presented.isEmpty()) {
            return null;
        }
        final byte[] mac = macs.get().doFinal(presented.getBytes(StandardCharsets.UTF_8));
        return HexFormat.of().formatHex(Arrays.copyOf(mac, BYTES));
    }

    private Mac newMac() {
        try {
            final Mac mac = Mac.getInstance(ALGORITHM);
            mac.init(key);
            return mac;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JVM cannot compute " + ALGORITHM, e);
        }
    }
}
