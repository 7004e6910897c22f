package io.authservice.audit.seal;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.dropwizard.util.Duration;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * How a writer seals the batches it stores and which keys a verifier trusts ({@code audit.seal} in
 * the service's configuration, {@code seal} in the audit-consumer's).
 */
public class SealConfig {
    /** Seal every batch this process writes into the audit store. */
    @JsonProperty
    private boolean enabled = true;

    /**
     * The signing key as PEM ({@code PRIVATE KEY} then {@code PUBLIC KEY} block), e.g. from an
     * environment variable; blank: {@link #keyFile}.
     */
    @JsonProperty
    private String key;

    /** The signing key's file, created (0600) with a new key on first start when {@link #key} is blank. */
    @JsonProperty
    private Path keyFile = Path.of("./data/audit-seal.key");

    /**
     * Public keys (PEM or base64 X.509) a verifier trusts besides this process's own: other writers'
     * keys (each audit-consumer, each service instance) and keys used before a rotation.
     */
    @JsonProperty
    private List<String> trustedKeys = new ArrayList<>();

    /** How often the service verifies the whole trail on its own (the self-check); 0: never. */
    @JsonProperty
    private Duration selfCheckInterval = Duration.days(1);

    /** How long after start the first self-check runs. */
    @JsonProperty
    private Duration selfCheckFirstDelay = Duration.minutes(1);

    public boolean isEnabled() {
        return enabled;
    }

    public void setEnabled(boolean enabled) {
        this.enabled = enabled;
    }

    public String getKey() {
        return key;
    }

    public void setKey(String key) {
        this.key = key;
    }

    public Path getKeyFile() {
        return keyFile;
    }

    public void setKeyFile(Path keyFile) {
        this.keyFile = keyFile;
    }

    public List<String> getTrustedKeys() {
        return trustedKeys;
    }

    public void setTrustedKeys(List<String> trustedKeys) {
        this.trustedKeys = trustedKeys;
    }

    public Duration getSelfCheckInterval() {
        return selfCheckInterval;
    }

    public void setSelfCheckInterval(Duration selfCheckInterval) {
        this.selfCheckInterval = selfCheckInterval;
    }

    public Duration getSelfCheckFirstDelay() {
        return selfCheckFirstDelay;
    }

    public void setSelfCheckFirstDelay(Duration selfCheckFirstDelay) {
        this.selfCheckFirstDelay = selfCheckFirstDelay;
    }
}
