package io.authservice.db;

import io.authservice.audit.Migrations;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.sqlobject.SqlObjectPlugin;


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

    /** Applies pending migrations of {@link #CHANGELOG} (which includes the audit store's). */
    public static void migrate(Jdbi jdbi) {
        Migrations.apply(jdbi, CHANGELOG);
    }
}
