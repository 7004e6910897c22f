package io.authservice.core;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Allowed addresses and rate limits as operators write them, and address matching. */
class KeyPolicyTest {
    @Test
    void ipv4RangesMatchTheirAddressesOnly() {
        final AllowedAddresses allowed = AllowedAddresses.parse("10.0.0.0/8, 192.168.1.0/25,203.0.113.7");
        assertThat(allowed.ranges()).containsExactly("10.0.0.0/8", "192.168.1.0/25", "203.0.113.7/32");
        assertThat(allowed.permits("10.0.0.0")).isTrue();
        assertThat(allowed.permits("10.255.255.255")).isTrue();
        assertThat(allowed.permits("11.0.0.0")).isFalse();
        assertThat(allowed.permits("9.255.255.255")).isFalse();
        assertThat(allowed.permits("192.168.1.127")).isTrue();
        assertThat(allowed.permits("192.168.1.128")).isFalse();
        assertThat(allowed.permits("203.0.113.7")).isTrue();
        assertThat(allowed.permits("203.0.113.8")).isFalse();
        assertThat(allowed.permits("::ffff:10.1.1.1")).as("IPv4-mapped IPv6 is its IPv4 address").isTrue();
    }

    @Test
    void ipv6RangesMatchTheirAddressesOnlyAndNeverIpv4() {
        final AllowedAddresses allowed = AllowedAddresses.parse("2001:DB8::/32,fd00:0:0:1::/64,::1");
        assertThat(allowed.ranges()).containsExactly("2001:db8::/32", "fd00:0:0:1::/64", "::1/128");
        assertThat(allowed.permits("2001:db8:ffff:ffff::1")).isTrue();
        assertThat(allowed.permits("2001:db9::")).isFalse();
        assertThat(allowed.permits("fd00:0:0:1:abcd::1")).isTrue();
        assertThat(allowed.permits("fd00:0:0:2::1")).isFalse();
        assertThat(allowed.permits("::1")).isTrue();
        assertThat(allowed.permits("::2")).isFalse();
        assertThat(allowed.permits("32.1.13.184")).as("the IPv4 address with 2001:db8's first bytes").isFalse();
        assertThat(allowed.permits("unknown")).isFalse();
        assertThat(allowed.permits(null)).isFalse();
    }

    @Test
    void oddPrefixesAndTheWholeSpace() {
        assertThat(AllowedAddresses.parse("172.16.0.0/12").permits("172.31.255.255")).isTrue();
        assertThat(AllowedAddresses.parse("172.16.0.0/12").permits("172.32.0.0")).isFalse();
        assertThat(AllowedAddresses.parse("2001:db8:8000::/33").permits("2001:db8:7fff::1")).isFalse();
        assertThat(AllowedAddresses.parse("2001:db8:8000::/33").permits("2001:db8:8000::1")).isTrue();
        assertThat(AllowedAddresses.parse("0.0.0.0/0").permits("198.51.100.1")).isTrue();
        assertThat(AllowedAddresses.parse("0.0.0.0/0").permits("2001:db8::1")).isFalse();
    }

    @Test
    void noRangesIsAnywhere() {
        assertThat(AllowedAddresses.parse(null)).isSameAs(AllowedAddresses.ANYWHERE);
        assertThat(AllowedAddresses.parse(" , ")).isSameAs(AllowedAddresses.ANYWHERE);
        assertThat(AllowedAddresses.ANYWHERE.permits("unknown")).isTrue();
        assertThat(AllowedAddresses.ANYWHERE.format()).isNull();
        assertThat(AllowedAddresses.parse("10.0.0.0/8,10.0.0.0/8").format()).isEqualTo("10.0.0.0/8");
    }

    @Test
    void badRangesAreRefusedWithTheReason() {
        assertThatThrownBy(() -> AllowedAddresses.parse("example.com")).isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("'example.com' is not an IPv4 or IPv6 address or CIDR range");
        assertThatThrownBy(() -> AllowedAddresses.parse("10.0.0.1/8")).hasMessageContaining("the range is 10.0.0.0/8");
        assertThatThrownBy(() -> AllowedAddresses.parse("2001:db8::1/32")).hasMessageContaining("the range is 2001:db8::/32");
        assertThatThrownBy(() -> AllowedAddresses.parse("10.0.0.0/33")).hasMessageContaining("from 0 to 32");
        assertThatThrownBy(() -> AllowedAddresses.parse("::/129")).hasMessageContaining("from 0 to 128");
        assertThatThrownBy(() -> AllowedAddresses.parse("10.0.0.0/")).hasMessageContaining("prefix length");
        assertThatThrownBy(() -> AllowedAddresses.parse("10.0.0.0/-1")).hasMessageContaining("prefix length");
        assertThatThrownBy(() -> AllowedAddresses.parse("10.0.0.0/8/8")).hasMessageContaining("prefix length");
        assertThatThrownBy(() -> AllowedAddresses.parse("[::1]/128")).isInstanceOf(InvalidInputException.class);
        assertThatThrownBy(() -> AllowedAddresses.parse("10.0.0.0\u0000/8")).hasMessageNotContaining("\u0000");
        final String many = String.join(",", java.util.stream.IntStream.range(0, 51).mapToObj(i -> "10.0." + i + ".0/24").toList());
        assertThatThrownBy(() -> AllowedAddresses.parse(many)).hasMessageContaining("at most 50");
    }

    @Test
    void rateLimitsAreACountPerPeriod() {
        assertThat(RateLimit.parse("600/1m")).isEqualTo(new RateLimit(600, Duration.ofMinutes(1)));
        assertThat(RateLimit.parse(" 10/1s ").format()).isEqualTo("10/1s");
        assertThat(RateLimit.parse("600/60s").format()).isEqualTo("600/1m");
        assertThat(RateLimit.parse("5000/24h").format()).isEqualTo("5000/1d");
        assertThat(RateLimit.parse("90/90s").format()).isEqualTo("90/90s");
        assertThat(RateLimit.parse(null)).isNull();
        assertThat(RateLimit.parse(" ")).isNull();
        for (String bad : new String[]{"abc/1m", "600", "600/", "/1m", "-1/1m", "1.5/1m", "600/abc", "600/0s",
                "99999999999/1m"}) {
            assertThatThrownBy(() -> RateLimit.parse(bad)).as(bad).isInstanceOf(InvalidInputException.class)
                    .hasMessageContaining("'rate_limit'");
        }
        assertThatThrownBy(() -> RateLimit.parse("0/1m")).hasMessageContaining("from 1 to");
        assertThatThrownBy(() -> RateLimit.parse("10/500ms")).hasMessageContaining("from 1s to 1d");
        assertThatThrownBy(() -> RateLimit.parse("10/2d")).hasMessageContaining("from 1s to 1d");
    }
}
