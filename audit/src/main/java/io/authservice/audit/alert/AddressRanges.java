package io.authservice.audit.alert;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.regex.Pattern;

/** The address range a client address falls in, for the new-address-range rule: its /24 (IPv4) or /48 (IPv6). */
final class AddressRanges {
    /** Without a colon, only a dotted quad is parsed: anything else could be taken for a host name. */
    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");

    private AddressRanges() {
    }

    /**
     * {@code 10.1.2.0/24} for {@code 10.1.2.3}, {@code 2001:db8:1:0:0:0:0:0/48} for {@code 2001:db8:1::5};
     * null when {@code address} is not an IP address literal (never a name lookup).
     */
    static String rangeOf(String address) {
        if (address == null || address.isEmpty() || address.length() > 45 || !address.chars().allMatch(AddressRanges::literal)
                || (address.indexOf(':') < 0 && !IPV4.matcher(address).matches())) {
            return null;
        }
        final InetAddress parsed;
        try {
            parsed = InetAddress.getByName(address);  // a literal (checked above): parsed, not looked up
        } catch (UnknownHostException e) {
            return null;
        }
        final byte[] bytes = parsed.getAddress();
        final int prefix = parsed instanceof Inet4Address ? 24 : 48;
        Arrays.fill(bytes, prefix / 8, bytes.length, (byte) 0);
        try {
            final InetAddress network = InetAddress.getByAddress(bytes);
            return network.getHostAddress() + "/" + prefix;
        } catch (UnknownHostException e) {
            return null;
        }
    }

    private static boolean literal(int c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') || c == '.' || c == ':';
    }
}
