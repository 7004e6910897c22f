package io.authservice.audit.testing;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Real PostgreSQL for both applications' tests: one embedded server per test JVM (started on first
 * use, real PostgreSQL binaries), with a fresh, empty database for each caller.
 */
public final class TestPostgres {
    public static final String USER = "postgres";
    public static final String PASSWORD = "postgres";

    private static final AtomicInteger NEXT = new AtomicInteger();
    private static EmbeddedPostgres postgres;

    private TestPostgres() {
    }

    /** The JDBC URL of a new, empty database on the shared embedded server ({@link #USER} / {@link #PASSWORD}). */
    public static synchronized String newDatabase() {
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
            return postgres.getJdbcUrl(USER, name);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start embedded PostgreSQL", e);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create a test database", e);
        }
    }
}
