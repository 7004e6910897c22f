package io.authservice.db;

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
import org.jdbi.v3.sqlobject.SqlObjectPlugin;

import java.io.OutputStream;
import java.sql.Connection;
import java.util.Map;

/** How the service and its commands set up Jdbi and the schema. */
public final class Databases {
    /** The Liquibase changelog on the classpath, the same one {@code db migrate} uses. */
    public static final String CHANGELOG = "migrations.xml";

    private Databases() {
    }

    /** Adds what every Jdbi of ours needs; safe on a Jdbi from Dropwizard's JdbiFactory too. */
    public static Jdbi configure(Jdbi jdbi) {
        jdbi.installPlugin(new SqlObjectPlugin());
        Timestamps.install(jdbi);
        return jdbi;
    }

    /**
     * Applies pending migrations. Liquibase's console output goes to the log, so a command's stdout
     * carries only its answer; Liquibase's usage reporting is switched off.
     */
    public static void migrate(Jdbi jdbi) {
        jdbi.useHandle(handle -> {
            final Connection connection = handle.getConnection();
            try {
                Scope.child(Map.of(
                        Scope.Attr.ui.name(), new LoggerUIService(),
                        Scope.Attr.resourceAccessor.name(), new ClassLoaderResourceAccessor(Databases.class.getClassLoader()),
                        "liquibase.analytics.enabled", false), () -> {
                    final Database database = DatabaseFactory.getInstance()
                            .findCorrectDatabaseImplementation(new JdbcConnection(connection));
                    new CommandScope(UpdateCommandStep.COMMAND_NAME)
                            .addArgumentValue(DbUrlConnectionArgumentsCommandStep.DATABASE_ARG, database)
                            .addArgumentValue(UpdateCommandStep.CHANGELOG_FILE_ARG, CHANGELOG)
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
