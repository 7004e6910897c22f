package io.authservice.auth;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ClientAddressesTest {
    private final ClientAddresses behindProxies = new ClientAddresses(List.of("10.0.0.0/8", "192.168.1.1"));

    private static List<String> header(String... lines) {
        return List.of(lines);
    }

    @Test
    void withoutTrustedProxiesTheHeaderIsIgnored() {
        assertThat(new ClientAddresses(List.of()).resolve("198.51.100.1", header("1.2.3.4"))).isEqualTo("198.51.100.1");
    }

    @Test
    void theHeaderIsIgnoredWhenThePeerIsNotTrusted() {
        assertThat(behindProxies.resolve("198.51.100.1", header("1.2.3.4"))).isEqualTo("198.51.100.1");
        assertThat(behindProxies.resolve("10.1.2.3", header())).isEqualTo("10.1.2.3");
    }

    @Test
    void theClientIsTheRightMostUntrustedHop() {
        assertThat(behindProxies.resolve("10.1.2.3", header("1.2.3.4, 203.0.113.9, 10.9.9.9"))).isEqualTo("203.0.113.9");
        assertThat(behindProxies.resolve("192.168.1.1", header("203.0.113.9"))).isEqualTo("203.0.113.9");
    }

    @Test
    void everyHeaderLineIsReadInOrder() {
        // a client sends its own line first; the proxy appends a second line with the address it saw
        assertThat(behindProxies.resolve("10.1.2.3", header("6.6.6.6", "203.0.113.7"))).isEqualTo("203.0.113.7");
        assertThat(behindProxies.resolve("10.1.2.3", header("6.6.6.6, 7.7.7.7", "203.0.113.7, 10.0.0.9")))
                .isEqualTo("203.0.113.7");
    }

    @Test
    void aChainOfOnlyTrustedHopsEndsAtTheLeftMost() {
        assertThat(behindProxies.resolve("10.1.2.3", header("10.0.0.7, 10.0.0.8"))).isEqualTo("10.0.0.7");
    }

    @Test
    void garbageInTheChainStopsAtTheLastAddressVouchedFor() {
        assertThat(behindProxies.resolve("10.1.2.3", header("203.0.113.9, evil.example.com"))).isEqualTo("10.1.2.3");
        assertThat(behindProxies.resolve("10.1.2.3", header(""))).isEqualTo("10.1.2.3");
        assertThat(behindProxies.resolve("10.1.2.3", header("203.0.113.9, 1.2.3.4:99999"))).isEqualTo("10.1.2.3");
        assertThat(behindProxies.resolve("10.1.2.3", header("203.0.113.9, [2001:db8::1"))).isEqualTo("10.1.2.3");
    }

    @Test
    void hopsMayCarryPorts() {
        assertThat(behindProxies.resolve("10.1.2.3", header("1.2.3.4:5678"))).isEqualTo("1.2.3.4");
        assertThat(behindProxies.resolve("10.1.2.3", header("[2001:db8::1]:443"))).isEqualTo("2001:db8::1");
        assertThat(behindProxies.resolve("10.1.2.3", header("203.0.113.9, 10.0.0.8:1234"))).isEqualTo("203.0.113.9");
    }

    @Test
    void ipv6HopsMayBeBareOrBracketedAndComeOutCompressed() {
        final ClientAddresses v6 = new ClientAddresses(List.of("::1", "fd00::/8"));
        assertThat(v6.resolve("::1", header("2001:db8::5, fd00::1"))).isEqualTo("2001:db8::5");
        assertThat(v6.resolve("::1", header("[2001:DB8:0:0:0:0:0:5]"))).isEqualTo("2001:db8::5");
        assertThat(v6.resolve("::1", header("2001:db8:0:0:0:0:0:5"))).isEqualTo("2001:db8::5");
    }

    @Test
    void anIpv6PeerInBracketsIsTrustedAndRecordedWithoutThem() {
        // Jetty gives an IPv6 peer as "[0:0:0:0:0:0:0:1]"
        final ClientAddresses v6 = new ClientAddresses(List.of("::1"));
        assertThat(v6.resolve("[0:0:0:0:0:0:0:1]", header("203.0.113.9"))).isEqualTo("203.0.113.9");
        assertThat(v6.resolve("[0:0:0:0:0:0:0:1]", header())).isEqualTo("::1");
        assertThat(new ClientAddresses(List.of()).resolve("[2001:db8:0:0:0:0:0:7]", header("1.2.3.4")))
                .isEqualTo("2001:db8::7");
    }

    @Test
    void anIpv4MappedAddressIsItsIpv4Address() {
        assertThat(behindProxies.resolve("::ffff:10.1.2.3", header("::ffff:203.0.113.9"))).isEqualTo("203.0.113.9");
    }

    @Test
    void ipv6ClientsAreThrottledByTheirNetworkIpv4ByTheirAddress() {
        final ClientAddresses addresses = new ClientAddresses(List.of(), 64);
        assertThat(addresses.throttleKey("2001:db8:1:2:aaaa:bbbb:cccc:dddd")).isEqualTo("2001:db8:1:2::/64");
        assertThat(addresses.throttleKey("2001:db8:1:2::1")).isEqualTo(addresses.throttleKey("2001:db8:1:2:ffff::9"));
        assertThat(addresses.throttleKey("2001:db8:1:3::1")).isNotEqualTo(addresses.throttleKey("2001:db8:1:2::1"));
        assertThat(addresses.throttleKey("203.0.113.9")).isEqualTo("203.0.113.9");
        assertThat(addresses.throttleKey("unknown")).isEqualTo("unknown");
        assertThat(new ClientAddresses(List.of(), 56).throttleKey("2001:db8:1:2ff::1")).isEqualTo("2001:db8:1:200::/56");
        assertThat(new ClientAddresses(List.of(), 128).throttleKey("2001:db8::1")).isEqualTo("2001:db8::1");
    }

    @Test
    void aBadProxyEntryOrPrefixIsRefusedAtStart() {
        assertThatThrownBy(() -> new ClientAddresses(List.of("10.0.0.0/8", "10.0.0.0/8")))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ClientAddresses(List.of(), 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ClientAddresses(List.of(), 129)).isInstanceOf(IllegalArgumentException.class);
    }
}
