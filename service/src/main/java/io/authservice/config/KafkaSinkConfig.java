package io.authservice.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.dropwizard.util.DataSize;
import io.dropwizard.util.Duration;
import io.dropwizard.validation.MinDuration;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** The Kafka sink: where it publishes, how long it may wait, and its disk spool. */
public class KafkaSinkConfig {
    @NotEmpty
    @JsonProperty
    private String bootstrapServers = "localhost:9092";

    @NotEmpty
    @JsonProperty
    private String topic = "auth.audit-events";

    /** How long {@code send()} may block the publisher thread (never a request thread) on metadata or a full buffer. */
    @NotNull
    @MinDuration(value = 1, unit = TimeUnit.MILLISECONDS)
    @JsonProperty
    private Duration maxBlock = Duration.milliseconds(500);

    /** How long a record may take to be acknowledged before it goes to the spool instead. */
    @NotNull
    @MinDuration(value = 1, unit = TimeUnit.SECONDS)
    @JsonProperty
    private Duration deliveryTimeout = Duration.seconds(30);

    @NotNull
    @MinDuration(value = 1, unit = TimeUnit.MILLISECONDS)
    @JsonProperty
    private Duration requestTimeout = Duration.seconds(10);

    @NotNull
    @JsonProperty
    private Duration linger = Duration.milliseconds(20);

    @NotEmpty
    @JsonProperty
    private String compression = "lz4";

    /** Where events wait on disk while Kafka cannot take them. */
    @NotNull
    @JsonProperty
    private Path spoolDirectory = Path.of("./data/audit-spool");

    /** Past this, the spool takes nothing more (events are dropped and counted, or refused in reject mode). */
    @NotNull
    @JsonProperty
    private DataSize maxSpoolSize = DataSize.gibibytes(1);

    /** The health check fails while more than this waits in the spool. */
    @NotNull
    @JsonProperty
    private DataSize spoolHealthThreshold = DataSize.mebibytes(64);

    /** How often the spool is tried against Kafka while it holds events. */
    @NotNull
    @MinDuration(value = 10, unit = TimeUnit.MILLISECONDS)
    @JsonProperty
    private Duration retryInterval = Duration.seconds(1);

    /** Further producer settings, e.g. security.protocol; they override the ones above. */
    @NotNull
    @JsonProperty
    private Map<String, String> producer = new HashMap<>();

    public String getBootstrapServers() {
        return bootstrapServers;
    }

    public String getTopic() {
        return topic;
    }

    public Duration getMaxBlock() {
        return maxBlock;
    }

    public Duration getDeliveryTimeout() {
        return deliveryTimeout;
    }

    public Duration getRequestTimeout() {
        return requestTimeout;
    }

    public Duration getLinger() {
        return linger;
    }

    public String getCompression() {
        return compression;
    }

    public Path getSpoolDirectory() {
        return spoolDirectory;
    }

    public DataSize getMaxSpoolSize() {
        return maxSpoolSize;
    }

    public DataSize getSpoolHealthThreshold() {
        return spoolHealthThreshold;
    }

    public Duration getRetryInterval() {
        return retryInterval;
    }

    public Map<String, String> getProducer() {
        return producer;
    }
}
