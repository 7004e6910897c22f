package io.authservice.auth;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ClientAddressesTest {
    private final ClientAddresses behindProxies = new ClientAddresses(List.of("10.0.0.0/8", "192.168.1.1"));

    @Test
    void withoutTrustedProxiesTheHeaderIsIgnored() {
        assertThat(new ClientAddresses(List.of()).resolve("198.51.100.1", "1.2.3.4")).isEqualTo("198.51.100.1");
    }

    @Test
    void theHeaderIsIgnoredWhenThePeerIsNotTrusted() {
        assertThat(behindProxies.resolve("198.51.100.1", "1.2.3.4")).isEqualTo("198.51.100.1");
    }

    @Test
    void theClientIsTheRightMostUntrustedHop() {
        assertThat(behindProxies.resolve("10.1.2.3", "1.2.3.4, 203.0.113.9, 10.9.9.9")).isEqualTo("203.0.113.9");
        assertThat(behindProxies.resolve("192.168.1.1", "203.0.113.9")).isEqualTo("203.0.113.9");
    }

    @Test
    void aChainOfOnlyTrustedHopsEndsAtTheLeftMost() {
        assertThat(behindProxies.resolve("10.1.2.3", "10.0.0.7, 10.0.0.8")).isEqualTo("10.0.0.7");
    }

    @Test
    void garbageInTheChainStopsAtTheLastAddressVouchedFor() {
        assertThat(behindProxies.resolve("10.1.2.3", "203.0.113.9, evil.example.com")).isEqualTo("10.1.2.3");
        assertThat(behindProxies.resolve("10.1.2.3", "")).isEqualTo("10.1.2.3");
    }

    @Test
    void ipv6Works() {
        final ClientAddresses v6 = new ClientAddresses(List.of("::1", "fd00::/8"));
        assertThat(v6.resolve("::1", "2001:db8::5, fd00::1")).isEqualTo("2001:db8::5");
    }

    @Test
    void aBadProxyEntryIsRefusedAtStart() {
        assertThatThrownBy(() -> new ClientAddresses(List.of("10.0.0.0/8", "10.0.0.0/8")))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
