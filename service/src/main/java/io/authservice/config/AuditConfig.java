package io.authservice.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.authservice.audit.AuditRetention;
import io.dropwizard.util.Duration;
import io.dropwizard.validation.MinDuration;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;

import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.concurrent.TimeUnit;

/** Where audit events go, how the background writer batches them, how failed key attempts are fingerprinted and how long events are kept. */
public class AuditConfig {
    /** The transport behind the audit seam. */
    public enum Sink {
        /** a background writer puts events straight into the audit store (the embedded default) */
        direct,
        /** one line per event on the {@code audit} logger, nothing stored */
        log,
        /** published to Kafka (the audit-consumer stores them), spooled to disk while Kafka cannot take them */
        kafka
    }

    /** What a key-authenticated request gets while no event can be recorded (queue and spool full or failing). */
    public enum FailureMode {
        /** answered as usual; the lost event is counted as dropped */
        serve,
        /** 503 (Vault-style fail-closed) */
        reject
    }

    @NotNull
    @JsonProperty
    private FailureMode failureMode = FailureMode.serve;

    @Valid
    @NotNull
    @JsonProperty
    private KafkaSinkConfig kafka = new KafkaSinkConfig();

    @NotNull
    @JsonProperty
    private Sink sink = Sink.direct;

    /** Events waiting to be written; when full, further events are counted as dropped. */
    @Min(1)
    @JsonProperty
    private int queueCapacity = 100_000;

    /** Most events written in one transaction. */
    @Min(1)
    @Max(10_000)
    @JsonProperty
    private int batchSize = 500;

    /** How long stopping waits for the queue to drain into the store. */
    @NotNull
    @MinDuration(value = 1, unit = TimeUnit.SECONDS)
    @JsonProperty
    private Duration shutdownTimeout = Duration.seconds(30);

    /**
     * The HMAC secret of failed key attempts' fingerprints; empty or absent means "use
     * {@link #fingerprintSecretFile}". Every instance writing one store needs the same secret, or the
     * same key presented to two instances gets two fingerprints.
     */
    @JsonProperty
    private String fingerprintSecret;

    /** Where the generated fingerprint secret lives when {@link #fingerprintSecret} is empty; created (owner-only) on first start. */
    @NotNull
    @JsonProperty
    private Path fingerprintSecretFile = Paths.get("./data/audit-fingerprint-secret");

    /** Events (and dead letters) older than this many days are deleted, daily; 0 keeps them forever. */
    @Min(0)
    @Max(36_500)
    @JsonProperty
    private int retentionDays = AuditRetention.DEFAULT_DAYS;

    /**
     * How often the writer of the store ({@code direct} sink only) checks whether a day has passed
     * since its last purge; the first purge runs this long after start, at most a minute.
     */
    @NotNull
    @MinDuration(value = 1, unit = TimeUnit.MILLISECONDS)
    @JsonProperty
    private Duration retentionCheckInterval = Duration.hours(1);

    public FailureMode getFailureMode() {
        return failureMode;
    }

    public KafkaSinkConfig getKafka() {
        return kafka;
    }

    public Sink getSink() {
        return sink;
    }

    public int getQueueCapacity() {
        return queueCapacity;
    }

    public int getBatchSize() {
        return batchSize;
    }

    public Duration getShutdownTimeout() {
        return shutdownTimeout;
    }

    public String getFingerprintSecret() {
        return fingerprintSecret;
    }

    public Path getFingerprintSecretFile() {
        return fingerprintSecretFile;
    }

    public int getRetentionDays() {
        return retentionDays;
    }

    public Duration getRetentionCheckInterval() {
        return retentionCheckInterval;
    }
}
