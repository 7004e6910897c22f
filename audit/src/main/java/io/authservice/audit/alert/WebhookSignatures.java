package io.authservice.audit.alert;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.HexFormat;

/**
 * The {@code Auth-Signature} header of a webhook call, Stripe's scheme: {@code t=<unix seconds>,v1=<hex>}
 * where the hex is HMAC-SHA256, under the webhook's secret, of {@code "<t>.<body>"} (the body's exact
 * bytes as UTF-8). A receiver recomputes it, compares in constant time and refuses a {@code t} too far
 * from its own clock (a replayed call).
 */
public final class WebhookSignatures {
    public static final String HEADER = "Auth-Signature";
    /** The alert's id: the same on every attempt, so a receiver drops a call it already took. */
    public static final String IDEMPOTENCY_HEADER = "Idempotency-Key";
    /** A secret shorter than this is refused. */
    public static final int MIN_SECRET_LENGTH = 32;

    private WebhookSignatures() {
    }

    /** The header value for {@code body} sent at {@code unixSeconds}. */
    public static String header(String secret, long unixSeconds, String body) {
        return "t=" + unixSeconds + ",v1=" + HexFormat.of().formatHex(mac(secret, unixSeconds + "." + body));
    }

    /**
     * Whether {@code header} is a valid signature of {@code body} under {@code secret}, made within
     * {@code toleranceSeconds} of {@code nowSeconds}: what a receiver checks.
     */
    public static boolean verify(String secret, String header, String body, long nowSeconds, long toleranceSeconds) {
        if (header == null) {
            return false;
        }
        Long t = null;
        String v1 = null;
        for (String part : header.split(",")) {
            final int eq = part.indexOf('=');
            if (eq < 0) {
                continue;
            }
            final String name = part.substring(0, eq).trim();
            final String value = part.substring(eq + 1).trim();
            if (name.equals("t")) {
                try {
                    t = Long.parseLong(value);
                } catch (NumberFormatException e) {
                    return false;
                }
            } else if (name.equals("v1")) {
                v1 = value;
            }
        }
        if (t == null || v1 == null || Math.abs(nowSeconds - t) > toleranceSeconds) {
            return false;
        }
        final byte[] expected = HexFormat.of().formatHex(mac(secret, t + "." + body)).getBytes(StandardCharsets.US_ASCII);
        return MessageDigest.isEqual(expected, v1.getBytes(StandardCharsets.US_ASCII));
    }

    private static byte[] mac(String secret, String signed) {
        try {
            final Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return mac.doFinal(signed.getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JVM cannot compute HmacSHA256", e);
        }
    }
}
