package io.authservice.core;

import java.math.BigInteger;

/**
 * Base62 ({@code 0-9A-Za-z}) at a fixed width, for the {@code prefixed} key format: no library on
 * the classpath does it, and it is a dozen lines. Fixed width (leading zeros) so a key's length
 * does not depend on its random value.
 */
public final class Base62 {
    static final String ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    private static final BigInteger BASE = BigInteger.valueOf(62);

    private Base62() {
    }

    /** {@code bytes} as an unsigned big-endian number, in exactly {@code width} base62 digits. */
    public static String encode(byte[] bytes, int width) {
        BigInteger value = new BigInteger(1, bytes);
        final char[] out = new char[width];
        for (int i = width - 1; i >= 0; i--) {
            final BigInteger[] qr = value.divideAndRemainder(BASE);
            out[i] = ALPHABET.charAt(qr[1].intValue());
            value = qr[0];
        }
        if (value.signum() != 0) {
            throw new IllegalArgumentException(bytes.length + " bytes do not fit in " + width + " base62 digits");
        }
        return new String(out);
    }

    /** A non-negative {@code value} in exactly {@code width} base62 digits. */
    public static String encode(long value, int width) {
        if (value < 0) {
            throw new IllegalArgumentException("negative: " + value);
        }
        final char[] out = new char[width];
        long rest = value;
        for (int i = width - 1; i >= 0; i--) {
            out[i] = ALPHABET.charAt((int) (rest % 62));
            rest /= 62;
        }
        if (rest != 0) {
            throw new IllegalArgumentException(value + " does not fit in " + width + " base62 digits");
        }
        return new String(out);
    }

    /** The value of base62 digits {@code [from, to)} of {@code text} (at most 10 digits), or -1 if one is not a digit. */
    public static long decode(CharSequence text, int from, int to) {
        if (to - from > 10) {
            throw new IllegalArgumentException("at most 10 digits fit a long here");
        }
        long value = 0;
        for (int i = from; i < to; i++) {
            final int digit = digit(text.charAt(i));
            if (digit < 0) {
                return -1;
            }
            value = value * 62 + digit;
        }
        return value;
    }

    /** The value of one base62 digit, or -1. */
    public static int digit(char c) {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        if (c >= 'A' && c <= 'Z') {
            return c - 'A' + 10;
        }
        if (c >= 'a' && c <= 'z') {
            return c - 'a' + 36;
        }
        return -1;
    }
}
