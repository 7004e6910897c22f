package io.authservice.audit.alert;

import java.util.UUID;

/** Where alerts are delivered: a webhook, a Kafka topic. */
public interface AlertDestination {
    /** Names the destination in the outbox's {@code delivered_to} and in logs; no comma. */
    String name();

    /**
     * Delivers one alert; returns once the destination took it (a 2xx, an acknowledgement).
     *
     * @param id   the alert's id, the same on every attempt (receivers drop duplicates by it)
     * @param body the alert as JSON, the same bytes on every attempt
     * @throws Exception when it was not taken: the attempt is repeated later
     */
    void send(UUID id, String body) throws Exception;
}
