package io.authservice.auth;

import com.google.common.net.InetAddresses;
import org.eclipse.jetty.util.InetAddressSet;

import java.net.InetAddress;
import java.util.List;

/**
 * Finds a request's client address. {@code X-Forwarded-For} is believed only when the TCP peer is
 * a configured trusted proxy; then the client is the right-most address in the header that is not
 * itself a trusted proxy (left-most entries can be forged by the client).
 */
public final class ClientAddresses {
    private final InetAddressSet trusted = new InetAddressSet();
    private final boolean anyTrusted;

    /** @param trustedProxies addresses or CIDR ranges, e.g. {@code 10.0.0.0/8}, {@code ::1} */
    public ClientAddresses(List<String> trustedProxies) {
        for (String proxy : trustedProxies) {
            if (!trusted.add(proxy.trim())) {
                throw new IllegalArgumentException("duplicate trusted proxy " + proxy);
            }
        }
        this.anyTrusted = !trustedProxies.isEmpty();
    }

    /**
     * @param peer          the TCP peer's address
     * @param forwardedFor  the {@code X-Forwarded-For} header, or null
     */
    public String resolve(String peer, String forwardedFor) {
        if (!anyTrusted || forwardedFor == null || !isTrusted(peer)) {
            return peer;
        }
        final String[] hops = forwardedFor.split(",");
        String client = peer;
        for (int i = hops.length - 1; i >= 0; i--) {
            final String hop = hops[i].trim();
            if (!InetAddresses.isInetAddress(hop)) {
                return client; // garbage in the chain: stop at the last address we could vouch for
            }
            client = hop;
            if (!isTrusted(hop)) {
                return hop;
            }
        }
        return client;
    }

    private boolean isTrusted(String address) {
        if (!InetAddresses.isInetAddress(address)) {
            return false;
        }
        final InetAddress parsed = InetAddresses.forString(address);
        return trusted.test(parsed);
    }
}
