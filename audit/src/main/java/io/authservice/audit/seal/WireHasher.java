package io.authservice.audit.seal;

import io.authservice.audit.AuditEvent;
import io.authservice.audit.AuditWireFormat;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.time.LocalDate;
import java.util.Arrays;
import java.util.UUID;

/**
 * The SHA-256 of an event's wire form, without Jackson: writes {@link AuditWireFormat#encode}'s
 * exact bytes (a fixed field order, absent fields left out, times as {@link Instant#toString}) into
 * a reused buffer and hashes them. Where a value is not plain printable ASCII (a string that would be
 * escaped, or a year outside 1970-9999) it hands the whole event to {@link AuditWireFormat#encode},
 * so the bytes are the same in every case ({@code WireHasherTest} pins them). One per thread: it
 * keeps its buffer and digest between calls.
 */
final class WireHasher {
    private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
    private static final long LAST_FAST_SECOND = Instant.parse("9999-12-31T23:59:59Z").getEpochSecond();
    private static final byte[] START = ascii("{\"" + AuditWireFormat.VERSION_FIELD + "\":" + AuditWireFormat.VERSION
            + ",\"id\":\"");
    private static final byte[] OCCURRED_AT = ascii("\",\"occurred_at\":\"");
    private static final byte[] TYPE = field("type");
    private static final byte[] OUTCOME = field("outcome");
    private static final byte[] REASON = field("reason");
    private static final byte[] KEY_ID = field("key_id");
    private static final byte[] KEY_NAME = field("key_name");
    private static final byte[] KEY_PREFIX = field("key_prefix");
    private static final byte[] USER_ID = field("user_id");
    private static final byte[] CLIENT_ADDRESS = field("client_address");
    private static final byte[] USER_AGENT = field("user_agent");
    private static final byte[] METHOD = field("method");
    private static final byte[] PATH = field("path");
    private static final byte[] STATUS = field("status");
    private static final byte[] REQUEST_ID = field("request_id");
    private static final byte[] INSTANCE_ID = field("instance_id");
    private static final byte[] FINGERPRINT = field("fingerprint");
    private static final byte[] ACTOR = field("actor");
    private static final byte[] SURFACE = field("surface");

    private final MessageDigest sha256 = SealKey.Sha256.digest();
    private byte[] buffer = new byte[512];
    private int length;

    /** The SHA-256 of {@code AuditWireFormat.encode(event)}. */
    byte[] hash(AuditEvent event) {
        if (!write(event)) {
            return sha256.digest(AuditWireFormat.encode(event));
        }
        sha256.update(buffer, 0, length);
        return sha256.digest();
    }

    /** The SHA-256 of {@code length} bytes of {@code bytes} from {@code offset}. */
    byte[] hash(byte[] bytes, int offset, int length) {
        sha256.update(bytes, offset, length);
        return sha256.digest();
    }

    /** {@code AuditWireFormat.encode(event)}'s bytes, as this class writes them. */
    byte[] encode(AuditEvent event) {
        return write(event) ? Arrays.copyOf(buffer, length) : AuditWireFormat.encode(event);
    }

    /** Writes the event into the buffer; false when one of its values is not for the fast path. */
    private boolean write(AuditEvent event) {
        length = 0;
        put(START);
        uuid(event.id());
        put(OCCURRED_AT);
        if (!instant(event.occurredAt())) {
            return false;
        }
        put((byte) '"');
        return string(TYPE, event.type()) && string(OUTCOME, event.outcome()) && string(REASON, event.reason())
                && number(KEY_ID, event.keyId()) && string(KEY_NAME, event.keyName()) && string(KEY_PREFIX, event.keyPrefix())
                && number(USER_ID, event.userId()) && string(CLIENT_ADDRESS, event.clientAddress())
                && string(USER_AGENT, event.userAgent()) && string(METHOD, event.method()) && string(PATH, event.path())
                && number(STATUS, event.status() == null ? null : event.status().longValue())
                && string(REQUEST_ID, event.requestId()) && string(INSTANCE_ID, event.instanceId())
                && string(FINGERPRINT, event.fingerprint()) && string(ACTOR, event.actor()) && string(SURFACE, event.surface())
                && put((byte) '}');
    }

    private boolean string(byte[] field, String value) {
        if (value == null) {
            return true;
        }
        final int n = value.length();
        ensure(field.length + n + 2);
        put(field);
        buffer[length++] = '"';
        for (int i = 0; i < n; i++) {
            final char c = value.charAt(i);
            if (c < 0x20 || c > 0x7e || c == '"' || c == '\\') {
                return false;  // Jackson escapes it or writes it as UTF-8: leave the whole event to Jackson
            }
            buffer[length++] = (byte) c;
        }
        buffer[length++] = '"';
        return true;
    }

    private boolean number(byte[] field, Long value) {
        if (value == null) {
            return true;
        }
        put(field);
        long v = value;
        if (v == Long.MIN_VALUE) {
            return false;
        }
        ensure(20);
        if (v < 0) {
            buffer[length++] = '-';
            v = -v;
        }
        digits(v, 1);
        return true;
    }

    /** {@code v} in decimal, at least {@code width} digits (zero-padded). */
    private void digits(long v, int width) {
        int count = 1;
        for (long rest = v / 10; rest > 0; rest /= 10) {
            count++;
        }
        count = Math.max(count, width);
        ensure(count);
        for (int i = length + count - 1; i >= length; i--) {
            buffer[i] = (byte) ('0' + v % 10);
            v /= 10;
        }
        length += count;
    }

    private void uuid(UUID id) {
        ensure(36);
        hex(id.getMostSignificantBits() >>> 32, 8);
        buffer[length++] = '-';
        hex(id.getMostSignificantBits() >>> 16, 4);
        buffer[length++] = '-';
        hex(id.getMostSignificantBits(), 4);
        buffer[length++] = '-';
        hex(id.getLeastSignificantBits() >>> 48, 4);
        buffer[length++] = '-';
        hex(id.getLeastSignificantBits(), 12);
    }

    /** The low {@code count} hex digits of {@code v}. */
    private void hex(long v, int count) {
        for (int i = length + count - 1; i >= length; i--) {
            buffer[i] = HEX[(int) (v & 0xf)];
            v >>>= 4;
        }
        length += count;
    }

    /** As {@link Instant#toString} (ISO_INSTANT: seconds always, the fraction in groups of three digits as needed). */
    private boolean instant(Instant at) {
        final long seconds = at.getEpochSecond();
        if (seconds < 0 || seconds > LAST_FAST_SECOND) {
            return false;
        }
        final LocalDate day = LocalDate.ofEpochDay(Math.floorDiv(seconds, 86_400));
        final int secondOfDay = (int) Math.floorMod(seconds, 86_400);
        ensure(32);
        digits(day.getYear(), 4);
        buffer[length++] = '-';
        digits(day.getMonthValue(), 2);
        buffer[length++] = '-';
        digits(day.getDayOfMonth(), 2);
        buffer[length++] = 'T';
        digits(secondOfDay / 3600, 2);
        buffer[length++] = ':';
        digits(secondOfDay / 60 % 60, 2);
        buffer[length++] = ':';
        digits(secondOfDay % 60, 2);
        final int nano = at.getNano();
        if (nano != 0) {
            buffer[length++] = '.';
            if (nano % 1_000_000 == 0) {
                digits(nano / 1_000_000, 3);
            } else if (nano % 1000 == 0) {
                digits(nano / 1000, 6);
            } else {
                digits(nano, 9);
            }
        }
        buffer[length++] = 'Z';
        return true;
    }

    private boolean put(byte b) {
        ensure(1);
        buffer[length++] = b;
        return true;
    }

    private void put(byte[] bytes) {
        ensure(bytes.length);
        System.arraycopy(bytes, 0, buffer, length, bytes.length);
        length += bytes.length;
    }

    private void ensure(int more) {
        if (length + more > buffer.length) {
            buffer = Arrays.copyOf(buffer, Math.max(buffer.length * 2, length + more));
        }
    }

    private static byte[] field(String name) {
        return ascii(",\"" + name + "\":");
    }

    private static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.US_ASCII);
    }
}
