package io.authservice.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.authservice.audit.seal.ExportedTrail;
import io.authservice.audit.seal.SealKey;
import io.authservice.audit.seal.SealKeyRing;
import io.authservice.audit.seal.SealKeys;
import io.authservice.audit.seal.TrailFinding;
import io.authservice.audit.seal.TrailVerification;
import io.authservice.audit.seal.TrailVerifier;
import io.authservice.auditquery.TimeRange;
import io.authservice.core.InvalidInputException;
import io.authservice.core.Report;
import io.authservice.core.RequestRefusedException;
import io.authservice.seal.AuditSeals;
import io.authservice.seal.TrailSelfCheck;
import net.sourceforge.argparse4j.inf.Namespace;
import net.sourceforge.argparse4j.inf.Subparser;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.List;
import java.time.Instant;

/**
 * {@code verify-audit-trail [--from T] [--to T] [--json] config.yml}, or
 * {@code verify-audit-trail --file export.ndjson [--keys audit-keys.json] config.yml} for an export: recomputes the sealed trail's
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
        subparser.addArgument("--file").dest("export_file").help("verify this NDJSON export (audit --format ndjson --with-seals,"
                + " or include=seals) offline instead of the store; its range is the one it was exported for");
        subparser.addArgument("--keys").dest("keys_file").help("with --file: the public keys to trust, as"
                + " GET /.well-known/audit-keys.json gives them; default: those audit.seal names");
    }

    @Override
    protected Report run(Namespace namespace, CommandContext context) throws Exception {
        final Instant from;
        final Instant to;
        try {
            final TimeRange range = TimeRange.parse(namespace::getString);
            from = range.from();
            to = range.to();
        } catch (InvalidInputException e) {
            throw new RequestRefusedException(400, e.getMessage());
        }
        final String file = namespace.getString("export_file");
        if (file == null && namespace.getString("keys_file") != null) {
            throw new RequestRefusedException(400, "--keys is for --file");
        }
        if (file != null && (from != null || to != null)) {
            throw new RequestRefusedException(400, "--from and --to are not for --file: a file is verified over the range it"
                    + " was exported for");
        }
        final TrailVerification result = file == null
                ? AuditSeals.verifier(context.graph().jdbi(), context.config()).verify(from, to)
                : verifyFile(Path.of(file), namespace.getString("keys_file"), context);
        final Report report = new Report(text(result), result);
        if (!result.ok()) {
            final boolean json = Boolean.TRUE.equals(namespace.getBoolean("json"));
            out.println(json ? context.json().writeValueAsString(result) : report.text());
            out.flush();
            throw new CommandFailedException("the audit trail does not verify: " + summary(result));
        }
        return report;
    }

    /** An export, offline: the store is not read. */
    private static TrailVerification verifyFile(Path file, String keysFile, CommandContext context) throws IOException {
        final SealKeyRing keys = keysFile == null ? SealKeys.trusted(context.config().getAudit().getSeal())
                : publishedKeys(Path.of(keysFile), context);
        // read in two passes, the events streamed while they are verified: a line that is not an event can be found in either
        try {
            return TrailVerifier.verifyExport(ExportedTrail.read(file), keys);
        } catch (NoSuchFileException e) {
            throw new RequestRefusedException(400, "no such file: " + file);
        } catch (IllegalArgumentException e) {
            throw new RequestRefusedException(400, file + ": " + e.getMessage());
        }
    }

    /** The keys of a {@code /.well-known/audit-keys.json} document. */
    private static SealKeyRing publishedKeys(Path file, CommandContext context) {
        try {
            final JsonNode document = context.json().readTree(Files.readString(file, StandardCharsets.UTF_8));
            final List<PublicKey> keys = new ArrayList<>();
            for (JsonNode key : document.path("keys")) {
                keys.add(SealKey.publicKey(key.path("public_key").asText()));
            }
            if (keys.isEmpty()) {
                throw new RequestRefusedException(400, file + " holds no keys (expected {\"keys\":[{\"kid\":..,"
                        + "\"public_key\":..}]})");
            }
            return SealKeyRing.of(keys);
        } catch (IOException | IllegalArgumentException e) {
            throw new RequestRefusedException(400, file + " is not an audit-keys.json document: " + e.getMessage());
        }
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
