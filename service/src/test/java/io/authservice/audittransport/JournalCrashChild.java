package io.authservice.audittransport;

import com.codahale.metrics.MetricRegistry;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;

/**
 * A child process for {@link AuditJournalTest}: appends {@code event-<i>} records to the journal in
 * the directory given, printing {@code appended <i>} once each append has returned, until it is
 * killed (or the journal is full, when it prints {@code full} and waits).
 */
public final class JournalCrashChild {
    private JournalCrashChild() {
    }

    public static void main(String[] args) throws IOException {
        final AuditJournal journal = AuditJournal.open(AuditJournalTest.crashSettings(Path.of(args[0])),
                Clock.fixed(Instant.parse("2024-05-01T10:00:00Z"), ZoneOffset.UTC), new MetricRegistry());  // as AuditJournalTest's
        for (int i = 0; journal.append(AuditJournalTest.crashPayload(i)); i++) {
            System.out.println("appended " + i);
        }
        System.out.println("full");
        System.out.flush();
        System.in.read();  // waits for the kill
        journal.close();
    }
}
