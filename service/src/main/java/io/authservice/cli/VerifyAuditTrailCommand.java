package io.authservice.cli;

import io.authservice.audit.seal.TrailFinding;
import io.authservice.audit.seal.TrailVerification;
import io.authservice.auditquery.AuditQuery;
import io.authservice.core.InvalidInputException;
import io.authservice.core.Report;
import io.authservice.core.RequestRefusedException;
import io.authservice.seal.AuditSeals;
import io.authservice.seal.TrailSelfCheck;
import net.sourceforge.argparse4j.inf.Namespace;
import net.sourceforge.argparse4j.inf.Subparser;

import java.io.PrintStream;
import java.time.Instant;

/**
 * {@code verify-audit-trail [--from T] [--to T] [--json] config.yml}: recomputes the sealed trail's
 * chains over the range and prints what holds and what does not; exits 0 only when everything holds.
 */
public final class VerifyAuditTrailCommand extends ReportingCommand {
    public static final String NAME = "verify-audit-trail";
    private final PrintStream out;

    public VerifyAuditTrailCommand(CommandSetup setup) {
        super(NAME, "Verifies the sealed audit trail: events changed, deleted or added, digests missing, out of order,"
                + " unlinked or badly signed; exits 0 only when all holds", setup);
        this.out = setup.out();
    }

    @Override
    protected void addArguments(Subparser subparser) {
        subparser.addArgument("--from").dest("from").help("first event time to verify (ISO 8601); default: the beginning");
        subparser.addArgument("--to").dest("to").help("last event time to verify (ISO 8601); default: now");
    }

    @Override
    protected Report run(Namespace namespace, CommandContext context) throws Exception {
        final Instant from;
        final Instant to;
        try {
            from = AuditQuery.instant("from", namespace.getString("from"));
            to = AuditQuery.instant("to", namespace.getString("to"));
        } catch (InvalidInputException e) {
            throw new RequestRefusedException(400, e.getMessage());
        }
        final TrailVerification result = AuditSeals.verifier(context.graph().jdbi(), context.config()).verify(from, to);
        final Report report = new Report(text(result), result);
        if (!result.ok()) {
            final boolean json = Boolean.TRUE.equals(namespace.getBoolean("json"));
            out.println(json ? context.json().writeValueAsString(result) : report.text());
            out.flush();
            throw new CommandFailedException("the audit trail does not verify: " + summary(result));
        }
        return report;
    }

    /** The command's (and the verify-audit-trail task's) human answer: the figures, each finding, the counts. */
    public static String text(TrailVerification result) {
        final StringBuilder text = new StringBuilder();
        text.append(result.ok() ? "The audit trail verifies" : "The audit trail does NOT verify")
                .append(": ").append(result.chains()).append(" chains, ").append(result.digests()).append(" digests, ")
                .append(result.events()).append(" events");
        for (TrailFinding finding : result.findings()) {
            text.append("\n  ").append(finding.kind());
            if (finding.chain() != null) {
                text.append(" chain ").append(finding.chain());
            }
            if (finding.seq() != null) {
                text.append(" seq ").append(finding.seq());
            }
            if (finding.eventId() != null) {
                text.append(" event ").append(finding.eventId());
            }
            text.append(": ").append(finding.detail());
        }
        if (!result.ok()) {
            text.append("\n").append(summary(result));
        }
        return text.toString();
    }

    private static String summary(TrailVerification result) {
        return TrailSelfCheck.summary(result);
    }
}
