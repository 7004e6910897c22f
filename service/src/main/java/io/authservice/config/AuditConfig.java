package io.authservice.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.authservice.audit.AuditRetention;
import io.authservice.audit.seal.SealConfig;
import io.dropwizard.util.Duration;
import io.dropwizard.validation.MaxDuration;
import io.dropwizard.validation.MinDuration;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;

import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.concurrent.TimeUnit;

/**
 * Where audit events go (journaled first, then shipped), how the shipper batches them, how failed key
 * attempts are fingerprinted and how long events are kept.
 */
public class AuditConfig {
    /** Where the shipper takes the journaled events. */
    public enum Sink {
        /** into the audit store in the service's own database (the embedded default) */
        direct,
        /** one line per event on the {@code audit} logger, nothing journaled or stored */
        log,
        /** to Kafka, many events per record (the audit-consumer stores them) */
        kafka
    }

    /** What a request gets when its event cannot be journaled (the journal is full or cannot be written). */
    public enum FailureMode {
        /** answered as usual; the lost event is counted ({@code audit.dropped}) and its id logged */
        serve,
        /** 503 with {@code Retry-After} (Vault-style fail-closed), for every request whose event is refused */
        reject
    }

    @NotNull
    /** Sealing of the batches the direct sink stores, and the keys the trail's verifier trusts (io.authservice.audit.seal). */
    @JsonProperty
    private SealConfig seal = new SealConfig();

    @JsonProperty
    private FailureMode failureMode = FailureMode.serve;

    @Valid
    @NotNull
    @JsonProperty
    private KafkaSinkConfig kafka = new KafkaSinkConfig();

    @NotNull
    @JsonProperty
    private Sink sink = Sink.direct;

    @Valid
    @NotNull
    @JsonProperty
    private AuditJournalConfig journal = new AuditJournalConfig();

    /** Most events the shipper takes from the journal at once (one transaction, or one round of Kafka sends). */
    @Min(1)
    @Max(10_000)
    @JsonProperty
    private int batchSize = 2000;

    /**
     * How long after its first event was appended a batch that is not full waits for more: under
     * load, larger batches (fewer commits, seals and Kafka records); the pipeline's lag is at most
     * about this when the load is light.
     */
    @NotNull
    @MaxDuration(value = 1, unit = TimeUnit.SECONDS)
    @JsonProperty
    private Duration linger = Duration.milliseconds(100);

    /** How long stopping waits for the shipper to ship what the journal holds; the rest ships on the next start. */
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
     * How often the service ({@code direct} sink only) checks whether a day has passed
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

    public AuditJournalConfig getJournal() {
        return journal;
    }

    public int getBatchSize() {
        return batchSize;
    }

    public Duration getLinger() {
        return linger;
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

    public SealConfig getSeal() {
        return seal;
    }
}
