package io.authservice.audit;

import java.time.Instant;

/**
 * A Kafka record that is not an audit event this version can read, or an event of one that the
 * store refuses, kept whole in {@code audit_dead_letters}; one per (topic, partition, offset, index).
 *
 * @param index   the event's position in its record (a version 2 record holds many); 0 for a version 1
 *                record, and for a record that could not be read at all
 * @param payload the record's value as it came (may be null), or the refused event alone in its version 1 form
 * @param error   why it could not be read or stored
 */
public record DeadLetter(String topic, int partition, long offset, int index, String key, byte[] payload, String error,
                         Instant receivedAt) {
}
