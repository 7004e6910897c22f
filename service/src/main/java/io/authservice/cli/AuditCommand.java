package io.authservice.cli;

import io.authservice.AuthServiceConfiguration;
import io.authservice.auditquery.AuditExport;
import io.authservice.auditquery.AuditFormat;
import io.authservice.auditquery.AuditQuery;
import io.authservice.core.RequestRefusedException;
import io.dropwizard.core.cli.Cli;
import io.dropwizard.core.cli.ConfiguredCommand;
import io.dropwizard.core.setup.Bootstrap;
import net.sourceforge.argparse4j.inf.Namespace;
import net.sourceforge.argparse4j.inf.Subparser;

import java.io.PrintStream;

/**
 * {@code audit [filters] [--format json|csv|ndjson] config.yml}: the query API's search from a shell,
 * on stdout. JSON answers one page ({@code --limit}, default 100, and {@code --cursor}); CSV and
 * NDJSON answer every matching event unless {@code --limit} is given.
 */
public final class AuditCommand extends ConfiguredCommand<AuthServiceConfiguration> {
    private final CommandSetup setup;
    private final PrintStream out;

    public AuditCommand(CommandSetup setup) {
        super("audit", "Search the audit trail (same filters as GET /api/v1/audit/events/)");
        this.setup = setup;
        this.out = setup.out();
    }

    @Override
    public void configure(Subparser subparser) {
        super.configure(subparser);
        for (String name : AuditQuery.PARAMETERS.stream().sorted().toList()) {
            subparser.addArgument("--" + name.replace('_', '-')).dest(name).help(help(name));
        }
        subparser.addArgument("--format").dest("format").setDefault("json").help("json (one page), csv or ndjson");
        subparser.addArgument("--with-seals").dest("with_seals").action(net.sourceforge.argparse4j.impl.Arguments.storeTrue())
                .help("with --format ndjson: write the seals of every chain the range touches after the events,"
                        + " so verify-audit-trail --file can check the file offline");
    }

    private static String help(String name) {
        return switch (name) {
            case "from" -> "events at or after this ISO 8601 time, e.g. 2026-11-25T00:00:00Z";
            case "to" -> "events before this ISO 8601 time";
            case "limit" -> "most events (1.." + AuditQuery.MAX_LIMIT + "); JSON defaults to " + AuditQuery.DEFAULT_LIMIT;
            case "cursor" -> "continue after the page that answered this next_cursor";
            default -> "only events whose " + name + " equals this";
        };
    }

    @Override
    protected void run(Bootstrap<AuthServiceConfiguration> bootstrap, Namespace namespace,
                       AuthServiceConfiguration configuration) throws Exception {
        try (CommandContext context = setup.open(configuration, bootstrap.getObjectMapper())) {
            final AuditFormat format;
            final AuditQuery query;
            try {
                format = AuditFormat.choose(namespace.getString("format"), java.util.List.of());
                query = AuditQuery.parse(namespace::getString, format.exports());
                if (Boolean.TRUE.equals(namespace.getBoolean("with_seals"))) {
                    if (format != AuditFormat.ndjson) {
                        throw new ReportingCommand.CommandFailedException("--with-seals is for --format ndjson");
                    }
                    AuditExport.requireWholeRange(query);
                }
            } catch (RequestRefusedException e) {
                throw new ReportingCommand.CommandFailedException(e.getMessage());
            }
            if (Boolean.TRUE.equals(namespace.getBoolean("with_seals"))) {
                context.graph().auditExport().writeWithSeals(query, out);
            } else {
                context.graph().auditExport().write(query, format, out);
            }
            out.flush();
        }
    }

    @Override
    public void onError(Cli cli, Namespace namespace, Throwable e) {
        cli.getStdErr().println("error: " + e.getMessage());
    }
}
