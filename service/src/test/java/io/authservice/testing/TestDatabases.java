package io.authservice.testing;

import io.authservice.audit.testing.TestPostgres;

import java.nio.file.Path;

/**
 * Real databases for tests: a fresh database on the embedded PostgreSQL server shared by the test
 * JVM ({@link TestPostgres}), and H2 files in a test's directory.
 */
public final class TestDatabases {
    private TestDatabases() {
    }

    /** A database as the service's config names it. */
    public record Db(String driverClass, String url, String user, String password) {
    }

    /** A new, empty PostgreSQL database on the shared embedded server. */
    public static Db newPostgres() {
        return new Db("org.postgresql.Driver", TestPostgres.newDatabase(), TestPostgres.USER, TestPostgres.PASSWORD);
    }

    /** An H2 file database in {@code directory}, as the embedded default uses (shareable across processes). */
    public static Db newH2(Path directory) {
        return new Db("org.h2.Driver", "jdbc:h2:file:" + directory.resolve("auth").toAbsolutePath()
                + ";AUTO_SERVER=TRUE;MODE=PostgreSQL", "auth", "");
    }
}
