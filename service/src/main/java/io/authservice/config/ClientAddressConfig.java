package io.authservice.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;

import java.util.ArrayList;
import java.util.List;

/** How the caller's address is found. */
public class ClientAddressConfig {
    /**
     * Addresses or CIDR ranges of reverse proxies whose {@code X-Forwarded-For} is believed. Empty
     * (the default) means the header is ignored and the TCP peer is the client.
     */
    @NotNull
    @JsonProperty
    private List<String> trustedProxies = new ArrayList<>();

    /**
     * IPv6 clients are throttled by their network of this many leading bits (one subscriber usually
     * holds a whole /64); the audit trail keeps the full address. 128: every address on its own.
     */
    @Min(1)
    @Max(128)
    @JsonProperty
    private int ipv6ThrottlePrefix = 64;

    public List<String> getTrustedProxies() {
        return trustedProxies;
    }

    public int getIpv6ThrottlePrefix() {
        return ipv6ThrottlePrefix;
    }
}
