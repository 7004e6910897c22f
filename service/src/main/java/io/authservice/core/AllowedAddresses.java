package io.authservice.core;

import com.google.common.net.InetAddresses;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The client addresses a key may be used from: CIDR ranges, IPv4 and IPv6 ({@code 10.0.0.0/8},
 * {@code 2001:db8::/32}; a bare address is its own /32 or /128). None means anywhere. Parsed once,
 * when the key is read from the store; {@link #permits} then compares address bytes, nothing more.
 */
public final class AllowedAddresses {
    /** No ranges: the key may be used from anywhere. */
    public static final AllowedAddresses ANYWHERE = new AllowedAddresses(List.of());
    public static final int MAX_RANGES = 50;

    private final List<Range> ranges;

    private AllowedAddresses(List<Range> ranges) {
        this.ranges = List.copyOf(ranges);
    }

    /**
     * Parses a comma-separated list ({@code "10.0.0.0/8, 2001:db8::/32"}); blanks are ignored, so
     * an empty or blank list is {@link #ANYWHERE}.
     *
     * @throws InvalidInputException naming the first entry that is not a range, or a range with host bits set
     */
    public static AllowedAddresses parse(String commaSeparated) {
        if (commaSeparated == null) {
            return ANYWHERE;
        }
        final Set<Range> parsed = new LinkedHashSet<>();
        for (String raw : commaSeparated.split(",")) {
            final String entry = raw.trim();
            if (!entry.isEmpty()) {
                parsed.add(Range.parse(entry));
            }
        }
        if (parsed.size() > MAX_RANGES) {
            throw new InvalidInputException("'allowed_addresses' may hold at most " + MAX_RANGES + " ranges, got "
                    + parsed.size());
        }
        return parsed.isEmpty() ? ANYWHERE : new AllowedAddresses(new ArrayList<>(parsed));
    }

    /** Whether the key may be used from anywhere (no ranges). */
    public boolean anywhere() {
        return ranges.isEmpty();
    }

    /**
     * Whether a client at {@code address} (as {@code ClientAddresses} resolved it) may use the key.
     * With ranges, something that is not an address (e.g. "unknown") is permitted nowhere.
     */
    public boolean permits(String address) {
        if (ranges.isEmpty()) {
            return true;
        }
        if (address == null || !InetAddresses.isInetAddress(address)) {
            return false;
        }
        final byte[] bytes = InetAddresses.forString(address).getAddress();
        for (Range range : ranges) {
            if (range.contains(bytes)) {
                return true;
            }
        }
        return false;
    }

    /** The ranges in their canonical form ({@code 2001:db8::/32}), in the order given. */
    public List<String> ranges() {
        return ranges.stream().map(Range::toString).toList();
    }

    /** The stored form: canonical ranges, comma-separated; null for anywhere. */
    public String format() {
        return ranges.isEmpty() ? null : ranges.stream().map(Range::toString).collect(Collectors.joining(","));
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof AllowedAddresses that && ranges.equals(that.ranges);
    }

    @Override
    public int hashCode() {
        return ranges.hashCode();
    }

    @Override
    public String toString() {
        return ranges.isEmpty() ? "anywhere" : format();
    }

    /** One CIDR range: its network's bytes (4 or 16) and how many leading bits count. */
    private record Range(byte[] network, int bits) {
        static Range parse(String entry) {
            final int slash = entry.indexOf('/');
            final String host = slash < 0 ? entry : entry.substring(0, slash);
            if (!InetAddresses.isInetAddress(host)) {
                throw new InvalidInputException("'allowed_addresses': '" + Text.printable(entry)
                        + "' is not an IPv4 or IPv6 address or CIDR range such as 10.0.0.0/8 or 2001:db8::/32");
            }
            final InetAddress address = InetAddresses.forString(host);
            final byte[] network = address.getAddress();
            final int max = network.length * 8;
            final int bits = slash < 0 ? max : prefixLength(entry, entry.substring(slash + 1), max);
            for (int bit = bits; bit < max; bit++) {
                if ((network[bit / 8] & (0x80 >>> (bit % 8))) != 0) {
                    throw new InvalidInputException("'allowed_addresses': '" + Text.printable(entry)
                            + "' has bits set past its /" + bits + " prefix; the range is "
                            + new Range(masked(network, bits), bits));
                }
            }
            return new Range(network, bits);
        }

        private static int prefixLength(String entry, String raw, int max) {
            if (!raw.isEmpty() && raw.length() <= 3 && raw.chars().allMatch(c -> c >= '0' && c <= '9')) {
                final int bits = Integer.parseInt(raw);
                if (bits <= max) {
                    return bits;
                }
            }
            throw new InvalidInputException("'allowed_addresses': '" + Text.printable(entry)
                    + "' must have a prefix length from 0 to " + max);
        }

        private static byte[] masked(byte[] address, int bits) {
            final byte[] copy = address.clone();
            for (int bit = bits; bit < copy.length * 8; bit++) {
                copy[bit / 8] &= (byte) ~(0x80 >>> (bit % 8));
            }
            return copy;
        }

        boolean contains(byte[] address) {
            if (address.length != network.length) {
                return false; // IPv4 and IPv6 never match each other (IPv4-mapped IPv6 arrives as IPv4)
            }
            final int whole = bits / 8;
            for (int i = 0; i < whole; i++) {
                if (address[i] != network[i]) {
                    return false;
                }
            }
            final int rest = bits % 8;
            if (rest == 0) {
                return true;
            }
            final int mask = (0xff << (8 - rest)) & 0xff;
            return (address[whole] & mask) == (network[whole] & mask);
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof Range that && bits == that.bits && Arrays.equals(network, that.network);
        }

        @Override
        public int hashCode() {
            return 31 * Arrays.hashCode(network) + bits;
        }

        @Override
        public String toString() {
            try {
                return InetAddresses.toAddrString(InetAddress.getByAddress(network)) + "/" + bits;
            } catch (java.net.UnknownHostException e) {
                throw new IllegalStateException(e); // 4 or 16 bytes are always an address
            }
        }
    }
}
