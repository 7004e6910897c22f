package io.authservice.testing;

import io.authservice.audit.testing.TestPostgres;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Map;

/**
 * Real databases for tests: a fresh database on the embedded PostgreSQL server shared by the test
 * JVM ({@link TestPostgres}), and H2 files in a test's directory.
 */
public final class TestDatabases {
    private TestDatabases() {
    }

    /** A database as the service's config names it. */
    public record Db(String driverClass, String url, String user, String password) {
        /** The shipped config's {@code AUTH_DB_*} environment that points the service here. */
        public Map<String, String> environment() {
            return Map.of("AUTH_DB_DRIVER", driverClass, "AUTH_DB_URL", url, "AUTH_DB_USER", user, "AUTH_DB_PASSWORD", password);
        }

        /** A new JDBC connection, e.g. to read what the service stored. */
        public Connection connect() throws SQLException {
            return DriverManager.getConnection(url, user, password);
        }
    }

    /** A new, empty PostgreSQL database on the shared embedded server. */
    public static Db newPostgres() {
        return new Db("org.postgresql.Driver", TestPostgres.newDatabase(), TestPostgres.USER, TestPostgres.PASSWORD);
    }

    /**
     * The H2 file database {@code auth} in {@code directory}, with the embedded default's settings
     * (shareable across processes, every commit written at once): {@code newH2(workDir.resolve("data"))}
     * is the database of the shipped config run in {@code workDir}.
     */
    public static Db newH2(Path directory) {
        return new Db("org.h2.Driver", "jdbc:h2:file:" + directory.resolve("auth").toAbsolutePath()
                + ";AUTO_SERVER=TRUE;MODE=PostgreSQL;WRITE_DELAY=0", "auth", "");
    }
}
