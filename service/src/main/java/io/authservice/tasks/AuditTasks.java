package io.authservice.tasks;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.authservice.auditquery.AuditPurges;
import io.authservice.cli.VerifyAuditTrailCommand;
import io.authservice.core.Report;
import io.authservice.seal.TrailSelfCheck;
import io.dropwizard.servlets.tasks.Task;

import java.util.List;
import java.util.Set;

/**
 * The audit store's admin tasks: {@code purge-audit-events} with {@code older_than_days} (default
 * {@code audit.retentionDays}) and {@code dry_run=true} (count only); {@code verify-audit-trail}: the
 * trail's self-check now (recorded like a scheduled one), answered as the command answers.
 */
public final class AuditTasks {
    private AuditTasks() {
    }

    public static List<Task> all(AuditPurges purges, TrailSelfCheck selfCheck, ObjectMapper json) {
        return List.of(new ReportingTask(AuditPurges.NAME, json, Set.of("older_than_days", "dry_run"),
                        (params, body, actor) -> purges.run(params.get("older_than_days").orElse(null),
                                params.get("dry_run").orElse(null))),
                new ReportingTask(VerifyAuditTrailCommand.NAME, json, Set.of(), (params, body, actor) -> {
                    final TrailSelfCheck.Outcome outcome = selfCheck.run(actor);
                    if (outcome.verification() == null) {
                        throw new IllegalStateException("the audit trail could not be read (" + outcome.error() + ")");
                    }
                    return new Report(VerifyAuditTrailCommand.text(outcome.verification()), outcome.verification());
                }));
    }
}
