package io.authservice.audit;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.uuid.Generators;
import com.fasterxml.uuid.impl.TimeBasedEpochRandomGenerator;

import java.time.Instant;
import java.util.Objects;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

/**
 * One entry of the audit trail: a key use, a failed attempt or a lifecycle change.
 *
 * <p>Never carries a whole key, password or token. A failed key attempt may carry a keyed
 * fingerprint of what was presented, so repeated attempts can be grouped.
 *
 * @param id          time-ordered unique id (UUIDv7), the store's idempotency key
 * @param occurredAt  when it happened
 * @param type        dotted lower-case event type, see {@link AuditEventTypes}
 * @param outcome     {@link #SUCCESS} or {@link #FAILURE}
 * @param reason      why a failure failed ({@link AuditReasons}), or null
 * @param keyId       API key id, where one is known
 * @param keyName     API key name, where one is known
 * @param keyPrefix   the key's display prefix (its first characters), where one is known
 * @param userId      the person involved, where one is known
 * @param clientAddress the caller's address (after trusted-proxy resolution)
 * @param userAgent   the caller's User-Agent header
 * @param method      HTTP method, or null for changes made outside a request
 * @param path        request path, or null
 * @param status      HTTP status answered, or null
 * @param requestId   request correlation id, or null
 * @param instanceId  which service instance saw it
 * @param fingerprint HMAC of a presented credential that failed, or null
 * @param actor       who made a lifecycle change (for example "admin-task@127.0.0.1"), or null
 * @param surface     through which surface a lifecycle change was made (task, command, api), or null
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record AuditEvent(
        @JsonProperty("id") UUID id,
        @JsonProperty("occurred_at") Instant occurredAt,
        @JsonProperty("type") String type,
        @JsonProperty("outcome") String outcome,
        @JsonProperty("reason") String reason,
        @JsonProperty("key_id") Long keyId,
        @JsonProperty("key_name") String keyName,
        @JsonProperty("key_prefix") String keyPrefix,
        @JsonProperty("user_id") Long userId,
        @JsonProperty("client_address") String clientAddress,
        @JsonProperty("user_agent") String userAgent,
        @JsonProperty("method") String method,
        @JsonProperty("path") String path,
        @JsonProperty("status") Integer status,
        @JsonProperty("request_id") String requestId,
        @JsonProperty("instance_id") String instanceId,
        @JsonProperty("fingerprint") String fingerprint,
        @JsonProperty("actor") String actor,
        @JsonProperty("surface") String surface) {

    public static final String SUCCESS = "success";
    public static final String FAILURE = "failure";

    /**
     * UUIDv7: the event's millisecond plus 74 random bits. Ids need uniqueness, not secrecy, and are
     * made on every request: JUG's default shares one lock and one SecureRandom between all threads,
     * so the random bits come from each thread's own ThreadLocalRandom instead.
     */
    private static final TimeBasedEpochRandomGenerator IDS = Generators.timeBasedEpochRandomGenerator(new ThreadLocalRandomView());

    public AuditEvent {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(occurredAt, "occurredAt");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(outcome, "outcome");
    }

    /**
     * Starts an event of the given type and outcome, with a fresh id whose time part is
     * {@code occurredAt}'s millisecond: ids sort in the order events happened.
     */
    public static Builder builder(String type, String outcome, Instant occurredAt) {
        Objects.requireNonNull(occurredAt, "occurredAt");
        return new Builder(IDS.construct(occurredAt.toEpochMilli()), occurredAt, type, outcome);
    }

    /** Builds an {@link AuditEvent}; every field but id, time, type and outcome is optional. */
    public static final class Builder {
        private final UUID id;
        private final Instant occurredAt;
        private final String type;
        private final String outcome;
        private String reason;
        private Long keyId;
        private String keyName;
        private String keyPrefix;
        private Long userId;
        private String clientAddress;
        private String userAgent;
        private String method;
        private String path;
        private Integer status;
        private String requestId;
        private String instanceId;
        private String fingerprint;
        private String actor;
        private String surface;

        private Builder(UUID id, Instant occurredAt, String type, String outcome) {
            this.id = id;
            this.occurredAt = occurredAt;
            this.type = type;
            this.outcome = outcome;
        }

        public Builder reason(String value) { this.reason = value; return this; }

        public Builder key(Long id, String name, String prefix) {
            this.keyId = id;
            this.keyName = name;
            this.keyPrefix = prefix;
            return this;
        }

        public Builder userId(Long value) { this.userId = value; return this; }

        public Builder request(String clientAddress, String userAgent, String method, String path) {
            this.clientAddress = clientAddress;
            this.userAgent = userAgent;
            this.method = method;
            this.path = path;
            return this;
        }

        public Builder status(Integer value) { this.status = value; return this; }

        public Builder requestId(String value) { this.requestId = value; return this; }

        public Builder instanceId(String value) { this.instanceId = value; return this; }

        public Builder fingerprint(String value) { this.fingerprint = value; return this; }

        public Builder actor(String who, String through) {
            this.actor = who;
            this.surface = through;
            return this;
        }

        public AuditEvent build() {
            return new AuditEvent(id, occurredAt, type, outcome, reason, keyId, keyName, keyPrefix,
                    userId, clientAddress, userAgent, method, path, status, requestId, instanceId,
                    fingerprint, actor, surface);
        }
    }

    /** {@link Random} backed by the calling thread's {@link ThreadLocalRandom}: no shared state, no lock. */
    private static final class ThreadLocalRandomView extends Random {
        @Override
        protected int next(int bits) {
            return ThreadLocalRandom.current().nextInt() >>> (32 - bits);
        }

        @Override
        public void nextBytes(byte[] bytes) {
            ThreadLocalRandom.current().nextBytes(bytes);
        }
    }
}
