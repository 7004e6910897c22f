package io.authservice.audit.seal;

import io.authservice.audit.AuditEvent;
import io.authservice.audit.AuditWireFormat;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;

/**
 * The members of a sealed batch: for each event, its id (16 bytes, big-endian) and the SHA-256 of its
 * wire form ({@link AuditWireFormat#encode}, the event as the store keeps it), 48 bytes each, in the
 * ids' unsigned order (PostgreSQL's order of uuid).
 */
public final class SealMembers {
    public static final int SIZE = 48;
    static final Comparator<UUID> ID_ORDER = Comparator.comparing(UUID::getMostSignificantBits, Long::compareUnsigned)
            .thenComparing(UUID::getLeastSignificantBits, Long::compareUnsigned);

    private SealMembers() {
    }

    /** The SHA-256 of the event's wire form. */
    public static byte[] hash(AuditEvent event) {
        return new WireHasher().hash(event);
    }

    /** The members of a batch of events, which must have distinct ids. */
    public static byte[] of(List<AuditEvent> events) {
        final List<AuditEvent> sorted = new ArrayList<>(events);
        sorted.sort(Comparator.comparing(AuditEvent::id, ID_ORDER));
        final ByteBuffer members = ByteBuffer.allocate(sorted.size() * SIZE);
        final WireHasher hasher = new WireHasher();
        for (AuditEvent event : sorted) {
            members.putLong(event.id().getMostSignificantBits()).putLong(event.id().getLeastSignificantBits());
            members.put(hasher.hash(event));
        }
        return members.array();
    }

    static int count(byte[] members) {
        return members.length / SIZE;
    }

    static UUID id(byte[] members, int i) {
        final ByteBuffer buffer = ByteBuffer.wrap(members, i * SIZE, 16);
        return new UUID(buffer.getLong(), buffer.getLong());
    }

    static long most(byte[] members, int i) {
        return ByteBuffer.wrap(members, i * SIZE, 8).getLong();
    }

    static long least(byte[] members, int i) {
        return ByteBuffer.wrap(members, i * SIZE + 8, 8).getLong();
    }

    static boolean hashIs(byte[] members, int i, byte[] hash) {
        return Arrays.equals(members, i * SIZE + 16, (i + 1) * SIZE, hash, 0, hash.length);
    }
}
