package io.authservice.audit;

import liquibase.Scope;
import liquibase.UpdateSummaryEnum;
import liquibase.UpdateSummaryOutputEnum;
import liquibase.command.CommandScope;
import liquibase.command.core.UpdateCommandStep;
import liquibase.command.core.helpers.DbUrlConnectionArgumentsCommandStep;
import liquibase.command.core.helpers.ShowSummaryArgument;
import liquibase.database.Database;
import liquibase.database.DatabaseFactory;
import liquibase.database.jvm.JdbcConnection;
import liquibase.resource.ClassLoaderResourceAccessor;
import liquibase.ui.LoggerUIService;
import org.jdbi.v3.core.Jdbi;

import java.io.OutputStream;
import java.sql.Connection;
import java.util.Map;

/** Applies a Liquibase changelog from the classpath; used by the service and the audit-consumer. */
public final class Migrations {
    private Migrations() {
    }

    /**
     * Applies pending changesets of {@code changelog}. Liquibase's console output goes to the log, so
     * a command's stdout carries only its answer; Liquibase's usage reporting is switched off.
     */
    public static void apply(Jdbi jdbi, String changelog) {
        jdbi.useHandle(handle -> {
            final Connection connection = handle.getConnection();
            try {
                Scope.child(Map.of(
                        Scope.Attr.ui.name(), new LoggerUIService(),
                        Scope.Attr.resourceAccessor.name(), new ClassLoaderResourceAccessor(Migrations.class.getClassLoader()),
                        "liquibase.analytics.enabled", false), () -> {
                    final Database database = DatabaseFactory.getInstance()
                            .findCorrectDatabaseImplementation(new JdbcConnection(connection));
                    new CommandScope(UpdateCommandStep.COMMAND_NAME)
                            .addArgumentValue(DbUrlConnectionArgumentsCommandStep.DATABASE_ARG, database)
                            .addArgumentValue(UpdateCommandStep.CHANGELOG_FILE_ARG, changelog)
                            .addArgumentValue(ShowSummaryArgument.SHOW_SUMMARY, UpdateSummaryEnum.SUMMARY)
                            .addArgumentValue(ShowSummaryArgument.SHOW_SUMMARY_OUTPUT, UpdateSummaryOutputEnum.LOG)
                            .setOutput(OutputStream.nullOutputStream())
                            .execute();
                });
                // Liquibase leaves the connection in manual-commit mode; hand it back as it was lent
                if (!connection.getAutoCommit()) {
                    connection.commit();
                    connection.setAutoCommit(true);
                }
            } catch (Exception e) {
                throw new IllegalStateException("database migration failed: " + e.getMessage(), e);
            }
        });
    }
}
