package io.authservice.db;

import io.authservice.audit.AuditEventDAO;
import io.authservice.audit.Migrations;
import io.authservice.audit.SqlObjects;
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
        return SqlObjects.prepare(jdbi, ApiKeyDAO.class, UserDAO.class, EmployeeDAO.class, RefreshTokenDAO.class,
                AuditEventDAO.class);
    }

    /** Applies pending migrations of {@link #CHANGELOG} (which includes the audit store's). */
    public static void migrate(Jdbi jdbi) {
        Migrations.apply(jdbi, CHANGELOG);
    }
}
