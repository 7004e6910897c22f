package io.authservice.audit;

import org.jdbi.v3.core.Jdbi;

import java.time.Instant;
import java.util.List;

/** The counts kept beside the trail for the console's charts and overview, as one list of steps and one prune. */
public final class AuditCounts {
    private AuditCounts() {
    }

    /** New steps keeping every count table: {@link AuditMinuteCounts}, then {@link AuditSummaryCounts}. */
    public static List<AuditStore.BatchStep> steps() {
        return List.of(new AuditMinuteCounts(), new AuditSummaryCounts());
    }

    /** Deletes the counts of what a purge with {@code cutoff} (a whole minute) deleted. */
    public static void prune(Jdbi jdbi, Instant cutoff) {
        AuditMinuteCounts.prune(jdbi, cutoff);
        AuditSummaryCounts.prune(jdbi, cutoff);
    }
}
