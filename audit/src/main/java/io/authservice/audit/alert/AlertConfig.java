package io.authservice.audit.alert;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.dropwizard.util.Duration;

import java.util.ArrayList;
import java.util.List;

/**
 * The alert rules evaluated on the events the store takes, and where alerts go ({@code alerts} in the
 * service's and the audit-consumer's configuration). Off unless {@link #enabled}.
 */
public class AlertConfig {
    /** Evaluate the rules on every batch this process stores. */
    @JsonProperty
    private boolean enabled = false;

    @JsonProperty
    private FailureBurst failureBurst = new FailureBurst();

    @JsonProperty
    private RetiredKey retiredKey = new RetiredKey();

    @JsonProperty
    private NewAddressRange newAddressRange = new NewAddressRange();

    @JsonProperty
    private Toggle refreshReuse = new Toggle();

    /** The webhooks every alert is sent to. */
    @JsonProperty
    private List<Webhook> webhooks = new ArrayList<>();

    @JsonProperty
    private Kafka kafka = new Kafka();

    @JsonProperty
    private Delivery delivery = new Delivery();

    @JsonProperty
    private Pruning pruning = new Pruning();

    /** A rule that is on or off. */
    public static class Toggle {
        @JsonProperty
        private boolean enabled = true;

        public boolean isEnabled() {
            return enabled;
        }

        public void setEnabled(boolean enabled) {
            this.enabled = enabled;
        }
    }

    /** At least {@link #threshold} failures from one client address, or with one bad-key fingerprint, within a window. */
    public static class FailureBurst extends Toggle {
        @JsonProperty
        private int threshold = 50;

        /** Fixed windows of this length (from the epoch): one alert per subject and window. */
        @JsonProperty
        private Duration window = Duration.minutes(5);

        public int getThreshold() {
            return threshold;
        }

        public void setThreshold(int threshold) {
            this.threshold = threshold;
        }

        public Duration getWindow() {
            return window;
        }

        public void setWindow(Duration window) {
            this.window = window;
        }
    }

    /** A deactivated, rotated-out, expired (or later deleted) key presented more than {@link #grace} after it was retired. */
    public static class RetiredKey extends Toggle {
        @JsonProperty
        private Duration grace = Duration.hours(1);

        /** At most one alert per key in each window of this length. */
        @JsonProperty
        private Duration repeatEvery = Duration.days(1);

        public Duration getGrace() {
            return grace;
        }

        public void setGrace(Duration grace) {
            this.grace = grace;
        }

        public Duration getRepeatEvery() {
            return repeatEvery;
        }

        public void setRepeatEvery(Duration repeatEvery) {
            this.repeatEvery = repeatEvery;
        }
    }

    /** A key used from an address range (/24 IPv4, /48 IPv6) it was not used from in the last {@link #days} days. */
    public static class NewAddressRange extends Toggle {
        @JsonProperty
        private int days = 30;

        public int getDays() {
            return days;
        }

        public void setDays(int days) {
            this.days = days;
        }
    }

    /** A webhook: alerts are POSTed to {@link #url}, signed with {@link #secret}. */
    public static class Webhook {
        /** Names the webhook in the outbox and in logs (never the secret). */
        @JsonProperty
        private String name = "webhook";

        @JsonProperty
        private String url;

        /** The HMAC-SHA256 key of the {@code Auth-Signature} header; at least 32 characters. */
        @JsonProperty
        private String secret;

        public String getName() {
            return name;
        }

        public void setName(String name) {
            this.name = name;
        }

        public String getUrl() {
            return url;
        }

        public void setUrl(String url) {
            this.url = url;
        }

        public String getSecret() {
            return secret;
        }

        public void setSecret(String secret) {
            this.secret = secret;
        }

        @Override
        public String toString() {
            return "Webhook{name=" + name + ", url=" + url + "}";  // never the secret
        }
    }

    /** Alerts also produced to a Kafka topic (the service's Kafka producer settings otherwise). */
    public static class Kafka {
        @JsonProperty
        private boolean enabled = false;

        @JsonProperty
        private String bootstrapServers = "localhost:9092";

        @JsonProperty
        private String topic = "auth.alerts";

        public boolean isEnabled() {
            return enabled;
        }

        public void setEnabled(boolean enabled) {
            this.enabled = enabled;
        }

        public String getBootstrapServers() {
            return bootstrapServers;
        }

        public void setBootstrapServers(String bootstrapServers) {
            this.bootstrapServers = bootstrapServers;
        }

        public String getTopic() {
            return topic;
        }

        public void setTopic(String topic) {
            this.topic = topic;
        }
    }

    /** How the delivery worker sends the outbox. */
    public static class Delivery {
        /** Run the delivery worker in this process. */
        @JsonProperty
        private boolean enabled = true;

        @JsonProperty
        private Duration pollInterval = Duration.seconds(2);

        /** The wait after a first failed attempt; doubled after each further one, up to {@link #maxBackoff}. */
        @JsonProperty
        private Duration initialBackoff = Duration.seconds(5);

        @JsonProperty
        private Duration maxBackoff = Duration.hours(1);

        /** How long a claimed alert is this worker's; a worker that dies holding one frees it when this passes. */
        @JsonProperty
        private Duration lease = Duration.minutes(1);

        /** Connect and answer timeout of one webhook call, and the Kafka acknowledgement wait. */
        @JsonProperty
        private Duration timeout = Duration.seconds(10);

        /** Most alerts claimed per poll. */
        @JsonProperty
        private int batchSize = 50;

        public boolean isEnabled() {
            return enabled;
        }

        public void setEnabled(boolean enabled) {
            this.enabled = enabled;
        }

        public Duration getPollInterval() {
            return pollInterval;
        }

        public void setPollInterval(Duration pollInterval) {
            this.pollInterval = pollInterval;
        }

        public Duration getInitialBackoff() {
            return initialBackoff;
        }

        public void setInitialBackoff(Duration initialBackoff) {
            this.initialBackoff = initialBackoff;
        }

        public Duration getMaxBackoff() {
            return maxBackoff;
        }

        public void setMaxBackoff(Duration maxBackoff) {
            this.maxBackoff = maxBackoff;
        }

        public Duration getLease() {
            return lease;
        }

        public void setLease(Duration lease) {
            this.lease = lease;
        }

        public Duration getTimeout() {
            return timeout;
        }

        public void setTimeout(Duration timeout) {
            this.timeout = timeout;
        }

        public int getBatchSize() {
            return batchSize;
        }

        public void setBatchSize(int batchSize) {
            this.batchSize = batchSize;
        }
    }

    /** What {@link AlertPruner} keeps: the rules' state no rule can need any more, and delivered alerts, are deleted. */
    public static class Pruning {
        @JsonProperty
        private boolean enabled = true;

        /** How often the delivery worker prunes. */
        @JsonProperty
        private Duration interval = Duration.hours(1);

        /** How late an event may still be stored and counted (a shipper or consumer catching up after an outage). */
        @JsonProperty
        private Duration lateness = Duration.days(1);

        /** How long a delivered alert stays in the outbox (the {@code alert.raised} event stays in the trail). */
        @JsonProperty
        private Duration keepDelivered = Duration.days(30);

        /** Most rows deleted per statement batch (and transaction). */
        @JsonProperty
        private int batchSize = 1000;

        public boolean isEnabled() {
            return enabled;
        }

        public void setEnabled(boolean enabled) {
            this.enabled = enabled;
        }

        public Duration getInterval() {
            return interval;
        }

        public void setInterval(Duration interval) {
            this.interval = interval;
        }

        public Duration getLateness() {
            return lateness;
        }

        public void setLateness(Duration lateness) {
            this.lateness = lateness;
        }

        public Duration getKeepDelivered() {
            return keepDelivered;
        }

        public void setKeepDelivered(Duration keepDelivered) {
            this.keepDelivered = keepDelivered;
        }

        public int getBatchSize() {
            return batchSize;
        }

        public void setBatchSize(int batchSize) {
            this.batchSize = batchSize;
        }
    }

    public boolean isEnabled() {
        return enabled;
    }

    public void setEnabled(boolean enabled) {
        this.enabled = enabled;
    }

    public FailureBurst getFailureBurst() {
        return failureBurst;
    }

    public void setFailureBurst(FailureBurst failureBurst) {
        this.failureBurst = failureBurst;
    }

    public RetiredKey getRetiredKey() {
        return retiredKey;
    }

    public void setRetiredKey(RetiredKey retiredKey) {
        this.retiredKey = retiredKey;
    }

    public NewAddressRange getNewAddressRange() {
        return newAddressRange;
    }

    public void setNewAddressRange(NewAddressRange newAddressRange) {
        this.newAddressRange = newAddressRange;
    }

    public Toggle getRefreshReuse() {
        return refreshReuse;
    }

    public void setRefreshReuse(Toggle refreshReuse) {
        this.refreshReuse = refreshReuse;
    }

    public List<Webhook> getWebhooks() {
        return webhooks;
    }

    public void setWebhooks(List<Webhook> webhooks) {
        this.webhooks = webhooks;
    }

    public Kafka getKafka() {
        return kafka;
    }

    public void setKafka(Kafka kafka) {
        this.kafka = kafka;
    }

    public Delivery getDelivery() {
        return delivery;
    }

    public void setDelivery(Delivery delivery) {
        this.delivery = delivery;
    }

    public Pruning getPruning() {
        return pruning;
    }

    public void setPruning(Pruning pruning) {
        this.pruning = pruning;
    }
}
