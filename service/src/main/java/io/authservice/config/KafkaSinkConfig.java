package io.authservice.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.dropwizard.util.Duration;
import io.dropwizard.validation.MinDuration;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** The {@code kafka} sink: where the shipper publishes and how long a send may block or wait for its acknowledgement. */
public class KafkaSinkConfig {
    @NotEmpty
    @JsonProperty
    private String bootstrapServers = "localhost:9092";

    @NotEmpty
    @JsonProperty
    private String topic = "auth.audit-events";

    /** How long {@code send()} may block the shipper's thread (never a request thread) on metadata or a full buffer. */
    @NotNull
    @MinDuration(value = 1, unit = TimeUnit.MILLISECONDS)
    @JsonProperty
    private Duration maxBlock = Duration.milliseconds(500);

    /** How long a record may take to be acknowledged; past it the shipper retries its batch (the journal keeps it meanwhile). */
    @NotNull
    @MinDuration(value = 1, unit = TimeUnit.SECONDS)
    @JsonProperty
    private Duration deliveryTimeout = Duration.seconds(30);

    @NotNull
    @MinDuration(value = 1, unit = TimeUnit.MILLISECONDS)
    @JsonProperty
    private Duration requestTimeout = Duration.seconds(10);

    @NotEmpty
    @JsonProperty
    private String compression = "lz4";

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

    public String getCompression() {
        return compression;
    }

    public Map<String, String> getProducer() {
        return producer;
    }
}
