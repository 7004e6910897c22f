package io.authservice.tasks;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.authservice.auditquery.AuditPurges;
import io.dropwizard.servlets.tasks.Task;

import java.util.List;
import java.util.Set;

/**
 * The audit store's admin tasks: {@code purge-audit-events} with {@code older_than_days} (default
 * {@code audit.retentionDays}) and {@code dry_run=true} (count only).
 */
public final class AuditTasks {
    private AuditTasks() {
    }

    public static List<Task> all(AuditPurges purges, ObjectMapper json) {
        return List.of(new ReportingTask(AuditPurges.NAME, json, Set.of("older_than_days", "dry_run"),
                (params, body, actor) -> purges.run(params.get("older_than_days").orElse(null),
                        params.get("dry_run").orElse(null))));
    }
}
