package io.authservice.cli;

import io.authservice.core.Actor;
import io.authservice.core.DjangoCsv;
import io.authservice.core.ImportedApiKey;
import io.authservice.core.Report;
import net.sourceforge.argparse4j.inf.Namespace;
import net.sourceforge.argparse4j.inf.Subparser;

import java.io.IOException;
import java.util.List;

/**
 * Imports an export of the original service's {@code APIKey} table (columns name, key, is_active,
 * created_at), storing only hashes, so services keep their keys across the migration.
 */
final class ImportApiKeysCommand extends ReportingCommand {
    ImportApiKeysCommand(CommandSetup setup) {
        super("import-api-keys", "Imports API keys from a CSV export of the Django service (name,key,is_active,created_at)", setup);
    }

    @Override
    protected void addArguments(Subparser subparser) {
        addCsv(subparser);
        subparser.addArgument("--scopes").help("scopes for the imported keys; default: every internal read scope");
        ApiKeyCommands.addPolicy(subparser, "for the imported keys");
    }

    @Override
    protected Report run(Namespace namespace, CommandContext context) throws IOException {
        final List<ImportedApiKey> keys = readCsv(namespace, reader -> DjangoCsv.read(reader, List.of("name", "key")).stream()
                .map(row -> {
                    final String where = "line " + row.line() + ": ";
                    return new ImportedApiKey(row.line(), row.get("name"), row.get("key"),
                            DjangoCsv.parseBoolean(row.get("is_active"), true, where),
                            DjangoCsv.parseTimestamp(row.get("created_at"), where));
                }).toList());
        return context.graph().apiKeyReports().imported(context.graph().apiKeys().importKeys(keys, ApiKeyCommands.scopes(namespace),
                ApiKeyCommands.policy(namespace), Actor.command()));
    }
}
