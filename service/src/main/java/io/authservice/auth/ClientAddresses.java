package io.authservice.auth;

import com.google.common.net.HostAndPort;
import com.google.common.net.InetAddresses;
import org.eclipse.jetty.util.InetAddressSet;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.List;

/**
 * Finds a request's client address. {@code X-Forwarded-For} is believed only when the TCP peer is
 * a configured trusted proxy; then the client is the right-most address in the header (all its
 * lines, in order) that is not itself a trusted proxy (left-most entries can be forged by the
 * client). Addresses come out in one form whatever form they came in: IPv6 without brackets and
 * compressed ({@code ::1}, not {@code [0:0:0:0:0:0:0:1]}), IPv4-mapped IPv6 as IPv4; a hop may carry
 * a port ({@code 1.2.3.4:5678}, {@code [2001:db8::1]:443}), which is dropped.
 */
public final class ClientAddresses {
    private final InetAddressSet trusted = new InetAddressSet();
    private final boolean anyTrusted;
    private final int ipv6ThrottlePrefix;

    /** @param trustedProxies addresses or CIDR ranges, e.g. {@code 10.0.0.0/8}, {@code ::1} */
    public ClientAddresses(List<String> trustedProxies) {
        this(trustedProxies, 128);
    }

    /**
     * @param trustedProxies     addresses or CIDR ranges, e.g. {@code 10.0.0.0/8}, {@code ::1}
     * @param ipv6ThrottlePrefix how many leading bits of an IPv6 address {@link #throttleKey} keeps
     */
    public ClientAddresses(List<String> trustedProxies, int ipv6ThrottlePrefix) {
        if (ipv6ThrottlePrefix < 1 || ipv6ThrottlePrefix > 128) {
            throw new IllegalArgumentException("the IPv6 throttle prefix must be 1..128, not " + ipv6ThrottlePrefix);
        }
        for (String proxy : trustedProxies) {
            if (!trusted.add(proxy.trim())) {
                throw new IllegalArgumentException("duplicate trusted proxy " + proxy);
            }
        }
        this.anyTrusted = !trustedProxies.isEmpty();
        this.ipv6ThrottlePrefix = ipv6ThrottlePrefix;
    }

    /**
     * @param peer         the TCP peer's address, as the servlet container gives it
     * @param forwardedFor the {@code X-Forwarded-For} header's lines, in the order received (none: empty)
     */
    public String resolve(String peer, List<String> forwardedFor) {
        final InetAddress peerAddress = parse(peer);
        final String client = peerAddress == null ? peer : InetAddresses.toAddrString(peerAddress);
        if (!anyTrusted || forwardedFor.isEmpty() || peerAddress == null || !trusted.test(peerAddress)) {
            return client;
        }
        final String[] hops = String.join(",", forwardedFor).split(",");
        String vouched = client;
        for (int i = hops.length - 1; i >= 0; i--) {
            final InetAddress hop = parse(hops[i].trim());
            if (hop == null) {
                return vouched; // garbage in the chain: stop at the last address we could vouch for
            }
            vouched = InetAddresses.toAddrString(hop);
            if (!trusted.test(hop)) {
                return vouched;
            }
        }
        return vouched;
    }

    /**
     * The key a resolved address is throttled by: an IPv4 address itself, an IPv6 address's network
     * of the configured prefix ({@code 2001:db8:1:2::/64}), anything else as it is.
     */
    public String throttleKey(String address) {
        final InetAddress parsed = parse(address);
        if (!(parsed instanceof Inet6Address) || ipv6ThrottlePrefix == 128) {
            return address;
        }
        final byte[] bytes = parsed.getAddress();
        for (int bit = ipv6ThrottlePrefix; bit < 128; bit++) {
            bytes[bit / 8] &= (byte) ~(0x80 >>> (bit % 8));
        }
        try {
            return InetAddresses.toAddrString(InetAddress.getByAddress(bytes)) + "/" + ipv6ThrottlePrefix;
        } catch (java.net.UnknownHostException e) {
            throw new IllegalStateException(e); // 16 bytes are always an address
        }
    }

    /** An address with or without brackets and port, or null when it is none. */
    private static InetAddress parse(String text) {
        if (text == null || text.isEmpty()) {
            return null;
        }
        final String host;
        try {
            host = HostAndPort.fromString(text).getHost();
        } catch (IllegalArgumentException e) {
            return null; // e.g. a bad port, unbalanced brackets
        }
        return InetAddresses.isInetAddress(host) ? InetAddresses.forString(host) : null;
    }
}
