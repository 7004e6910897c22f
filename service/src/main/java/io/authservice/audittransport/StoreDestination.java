package io.authservice.audittransport;

import io.authservice.audit.AuditEvent;
import io.authservice.audit.AuditStore;
import io.authservice.audit.AuditWireFormat;
import io.authservice.audit.DeadLetter;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@code direct} sink's destination: a batch of journaled events into the audit store in one
 * transaction. An event the database refuses, or a journal record that is not an event, becomes a
 * dead letter (topic {@code journal:<instanceId>}, partition the journal segment, offset the
 * record's offset in it) with its reason, stored with the rest; an outage throws, for the shipper
 * to retry.
 */
public final class StoreDestination implements AuditShipper.Destination {
    private final AuditStore store;
    private final String topic;
    private final Clock clock;

    public StoreDestination(AuditStore store, String instanceId, Clock clock) {
        this.store = store;
        this.topic = "journal:" + instanceId;
        this.clock = clock;
    }

    @Override
    public void ship(List<AuditJournal.Entry> batch) {
        final List<AuditEvent> events = new ArrayList<>(batch.size());
        final List<AuditJournal.Entry> sources = new ArrayList<>(batch.size());
        final List<DeadLetter> unreadable = new ArrayList<>();
        for (AuditJournal.Entry entry : batch) {
            try {
                events.add(AuditWireFormat.decode(JournalPayload.event(entry.payload())));
                sources.add(entry);
            } catch (RuntimeException e) {
                unreadable.add(deadLetter(entry, "not an audit event: " + e.getMessage()));
            }
        }
        store.store(events, unreadable, (index, event, reason) -> deadLetter(sources.get(index), reason));
    }

    private DeadLetter deadLetter(AuditJournal.Entry entry, String reason) {
        byte[] payload;
        String key;
        try {
            payload = JournalPayload.event(entry.payload());
            key = JournalPayload.key(entry.payload());
        } catch (IllegalArgumentException e) {
            payload = entry.payload();
            key = null;
        }
        return new DeadLetter(topic, Math.toIntExact(entry.position().segment()), entry.position().offset(), 0, key,
                payload, reason, clock.instant());
    }
}
