package io.authservice.auditconsumer;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.dropwizard.util.DataSize;
import io.dropwizard.util.Duration;
import io.dropwizard.validation.MaxDuration;
import io.dropwizard.validation.MinDuration;
import io.dropwizard.validation.ValidationMethod;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Where the consumer reads, as which group, with how many threads. */
public class ConsumerKafkaConfig {
    @NotEmpty
    @JsonProperty
    private String bootstrapServers = "localhost:9092";

    @NotEmpty
    @JsonProperty
    private String topic = "auth.audit-events";

    /** Every consumer process of one store shares this group, and so the topic's partitions. */
    @NotEmpty
    @JsonProperty
    private String groupId = "auth-audit-consumer";

    /** Consumer threads in this process, each with its own KafkaConsumer. */
    @Min(1)
    @Max(64)
    @JsonProperty
    private int consumers = 1;

    /** The most events one batch (one poll, one database transaction) takes. */
    @Min(1)
    @JsonProperty
    private int maxPollRecords = 1000;

    /**
     * A fetch waits until this much is ready (or {@link #fetchMaxWait} has passed): under load the
     * consumer takes its events in large batches, so the broker answers, and the store commits, far
     * less often than once per few events.
     */
    @NotNull
    @JsonProperty
    private DataSize fetchMinBytes = DataSize.kibibytes(64);

    /** The longest a fetch waits for {@link #fetchMinBytes}: what an event may wait, at most, while little happens. */
    @NotNull
    @MaxDuration(value = 5, unit = TimeUnit.SECONDS)
    @JsonProperty
    private Duration fetchMaxWait = Duration.milliseconds(100);

    @NotNull
    @MinDuration(value = 1, unit = TimeUnit.MILLISECONDS)
    @JsonProperty
    private Duration pollTimeout = Duration.milliseconds(500);

    /** How long stopping waits for each consumer to finish its batch and close. */
    @NotNull
    @JsonProperty
    private Duration closeTimeout = Duration.seconds(10);

    /**
     * The {@code consumers} health check fails when a consumer thread has not come back from a poll
     * for this long (stuck in a commit, a store that is down, a broker that does not answer).
     */
    @NotNull
    @MinDuration(value = 1, unit = TimeUnit.SECONDS)
    @JsonProperty
    private Duration healthPollTimeout = Duration.seconds(30);

    /** After a consumer thread meets an unexpected failure, it waits this long before it starts a new consumer. */
    @NotNull
    @MinDuration(value = 1, unit = TimeUnit.MILLISECONDS)
    @JsonProperty
    private Duration restartBackoff = Duration.seconds(1);

    /** Each further failure in a row doubles the wait, up to this. */
    @NotNull
    @MinDuration(value = 1, unit = TimeUnit.MILLISECONDS)
    @JsonProperty
    private Duration maxRestartBackoff = Duration.minutes(1);

    /** Further consumer settings (security.protocol, sasl.*, ...); they override the ones above. */
    @NotNull
    @JsonProperty
    private Map<String, String> consumer = new HashMap<>();

    public String getBootstrapServers() {
        return bootstrapServers;
    }

    public String getTopic() {
        return topic;
    }

    public String getGroupId() {
        return groupId;
    }

    public int getConsumers() {
        return consumers;
    }

    public int getMaxPollRecords() {
        return maxPollRecords;
    }

    public DataSize getFetchMinBytes() {
        return fetchMinBytes;
    }

    public Duration getFetchMaxWait() {
        return fetchMaxWait;
    }

    public Duration getPollTimeout() {
        return pollTimeout;
    }

    public Duration getCloseTimeout() {
        return closeTimeout;
    }

    public Duration getHealthPollTimeout() {
        return healthPollTimeout;
    }

    public Duration getRestartBackoff() {
        return restartBackoff;
    }

    public Duration getMaxRestartBackoff() {
        return maxRestartBackoff;
    }

    @ValidationMethod(message = "maxRestartBackoff must not be shorter than restartBackoff")
    @JsonIgnore
    public boolean isRestartBackoffWithinItsMaximum() {
        return maxRestartBackoff.toNanoseconds() >= restartBackoff.toNanoseconds();
    }

    public Map<String, String> getConsumer() {
        return consumer;
    }
}
