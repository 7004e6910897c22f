package io.authservice.config;

import com.fasterxml.jackson.annotation.JsonProperty;
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

    public List<String> getTrustedProxies() {
        return trustedProxies;
    }
}
