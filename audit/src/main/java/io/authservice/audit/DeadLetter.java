package io.authservice.audit;

import java.time.Instant;

/**
 * A Kafka record that is not an audit event this version can read, or an event the store refuses,
 * kept whole in {@code audit_dead_letters}.
 *
 * @param payload the record's value as it came (may be null)
 * @param error   why it could not be read or stored
 */
public record DeadLetter(String topic, int partition, long offset, String key, byte[] payload, String error,
                         Instant receivedAt) {
}
