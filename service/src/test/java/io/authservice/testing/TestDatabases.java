package io.authservice.testing;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Real databases for tests: one embedded PostgreSQL server per test JVM (started on first use, real
 * PostgreSQL binaries), with a fresh database for each caller, and H2 files in a test's directory.
 */
public final class TestDatabases {
    private static final AtomicInteger NEXT = new AtomicInteger();
    private static EmbeddedPostgres postgres;

    private TestDatabases() {
    }

    /** A database as the service's config names it. */
    public record Db(String driverClass, String url, String user, String password) {
    }

    /** A new, empty PostgreSQL database on the shared embedded server. */
    public static synchronized Db newPostgres() {
        try {
            if (postgres == null) {
                postgres = EmbeddedPostgres.builder().start();
                Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                    try {
                        postgres.close();
                    } catch (IOException ignored) {
                        // the JVM is exiting; the server's directory is temporary
                    }
                }));
            }
            final String name = "auth_test_" + NEXT.incrementAndGet();
            try (Connection c = postgres.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
                s.execute("CREATE DATABASE " + name);
            }
            return new Db("org.postgresql.Driver", postgres.getJdbcUrl("postgres", name), "postgres", "postgres");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start embedded PostgreSQL", e);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create a test database", e);
        }
    }

    /** An H2 file database in {@code directory}, as the embedded default uses (shareable across processes). */
    public static Db newH2(Path directory) {
        return new Db("org.h2.Driver", "jdbc:h2:file:" + directory.resolve("auth").toAbsolutePath()
                + ";AUTO_SERVER=TRUE;MODE=PostgreSQL", "auth", "");
    }
}
