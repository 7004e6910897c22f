package io.authservice.auditquery;

import io.authservice.audit.AuditPurger;
import io.authservice.core.InvalidInputException;
import io.authservice.core.OperatorDurations;
import io.authservice.core.Report;
import io.authservice.core.Text;

/**
 * {@code purge-audit-events}, as a task and as a command: reads {@code older_than_days} (default:
 * the retention setting) and {@code dry_run}, purges (or counts) and reports what it did.
 */
public final class AuditPurges {
    public static final String NAME = "purge-audit-events";
    public static final int MAX_DAYS = 36_500;

    private final AuditPurger purger;
    private final int retentionDays;

    /** @param retentionDays {@code audit.retentionDays}: the default age, 0 when retention is off */
    public AuditPurges(AuditPurger purger, int retentionDays) {
        this.purger = purger;
        this.retentionDays = retentionDays;
    }

    /**
     * @param olderThanDays a whole number of days, or null for the retention setting
     * @param dryRun        {@code true} to count only, {@code false} or null to delete
     * @throws InvalidInputException naming the parameter that is wrong
     */
    public Report run(String olderThanDays, String dryRun) {
        final AuditPurger.Result result = purger.purge(days(olderThanDays), dryRun(dryRun));
        final String what = result.events() + " audit events and " + result.deadLetters() + " dead letters";
        final String age = "older than " + result.olderThanDays() + " days (before " + result.cutoff() + ")";
        final String text = result.dryRun() ? "Dry run: " + what + " are " + age + "; nothing was deleted."
                : "Purged " + what + " " + age + ".";
        return new Report(text, Report.actionJson(result.dryRun() ? "counted" : "purged",
                "older_than_days", result.olderThanDays(), "cutoff", result.cutoff().toString(),
                "dry_run", result.dryRun(), "events", result.events(), "dead_letters", result.deadLetters()));
    }

    private int days(String value) {
        if (value == null || value.isBlank()) {
            if (retentionDays == 0) {
                throw new InvalidInputException("'older_than_days' is required: retention is off (audit.retentionDays is 0)");
            }
            return retentionDays;
        }
        return OperatorDurations.wholeDays(value.trim(), "older_than_days", MAX_DAYS);
    }

    private static boolean dryRun(String value) {
        if (value == null || value.isBlank()) {
            return false;
        }
        return switch (value.trim()) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new InvalidInputException("'dry_run': '" + Text.printable(value) + "' is not 'true' or 'false'");
        };
    }
}
