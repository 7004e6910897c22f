package io.authservice.db;

import io.authservice.audit.AuditEventDAO;
import io.authservice.audit.EmbeddedH2;
import io.authservice.audit.Migrations;
import io.authservice.audit.SqlObjects;
import io.dropwizard.db.DataSourceFactory;
import org.jdbi.v3.core.Jdbi;


/** How the service and its commands set up Jdbi and the schema. */
public final class Databases {
    /** The Liquibase changelog on the classpath, the same one {@code db migrate} uses. */
    public static final String CHANGELOG = "migrations.xml";

    private Databases() {
    }

    /**
     * Adds what every Jdbi of ours needs, and prepares every DAO once on it (see {@link SqlObjects});
     * safe on a Jdbi from Dropwizard's JdbiFactory too.
     */
    public static Jdbi configure(Jdbi jdbi) {
        Timestamps.install(jdbi);
        return SqlObjects.prepare(jdbi, ApiKeyDAO.class, UserDAO.class, EmployeeDAO.class, DirectoryChangeDAO.class, RefreshTokenDAO.class,
                AuditEventDAO.class);
    }

    /**
     * The configured database, made ready to be opened for the first time: an embedded H2 file gets
     * its owner-only directory and files ({@link EmbeddedH2#prepareFiles}). Whatever opens the
     * database (the server, the commands, {@code db migrate}) takes it from here.
     */
    public static DataSourceFactory prepare(DataSourceFactory database) {
        EmbeddedH2.prepareFiles(database.getUrl());
        return database;
    }

    /** Applies pending migrations of {@link #CHANGELOG} (which includes the audit store's). */
    public static void migrate(Jdbi jdbi) {
        Migrations.apply(jdbi, CHANGELOG);
    }
}
