package io.authservice.cli;

import io.authservice.auditquery.AuditPurges;
import io.authservice.core.Report;
import net.sourceforge.argparse4j.impl.Arguments;
import net.sourceforge.argparse4j.inf.Namespace;
import net.sourceforge.argparse4j.inf.Subparser;


/** {@code purge-audit-events [--older-than-days N] [--dry-run]}: what the admin task of the same name does. */
public final class PurgeAuditEventsCommand extends ReportingCommand {
    public PurgeAuditEventsCommand(CommandSetup setup) {
        super(AuditPurges.NAME, "Deletes audit events and dead letters older than a number of days", setup);
    }

    @Override
    protected void addArguments(Subparser subparser) {
        subparser.addArgument("--older-than-days").dest("older_than_days")
                .help("delete what is older than this many days (1.." + AuditPurges.MAX_DAYS + "); default: audit.retentionDays");
        subparser.addArgument("--dry-run").dest("dry_run").action(Arguments.storeTrue())
                .help("only count what would be deleted");
    }

    @Override
    protected Report run(Namespace namespace, CommandContext context) {
        return context.graph().auditPurges().run(namespace.getString("older_than_days"), Boolean.TRUE.equals(namespace.getBoolean("dry_run")) ? "true" : null);
    }
}
