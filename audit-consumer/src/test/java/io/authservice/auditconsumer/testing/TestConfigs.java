package io.authservice.auditconsumer.testing;

import io.authservice.audit.AuditStore;
import io.authservice.audit.Migrations;
import io.authservice.audit.testing.TestPostgres;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.sqlobject.SqlObjectPlugin;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Configuration files and audit stores for a test audit-consumer. */
public final class TestConfigs {
    private TestConfigs() {
    }

    /** An audit store's database, as the consumer's config names it. */
    public record Store(String driverClass, String url, String user, String password) {
        /** The H2 file database in {@code dir}, as the embedded default uses. */
        public static Store h2(Path dir) {
            return new Store("org.h2.Driver", h2Url(dir), "auth", "");
        }

        /** A new, empty database on the test JVM's embedded PostgreSQL, as production runs it. */
        public static Store postgres() {
            return new Store("org.postgresql.Driver", TestPostgres.newDatabase(), TestPostgres.USER, TestPostgres.PASSWORD);
        }

        public Jdbi jdbi() {
            return Jdbi.create(url, user, password).installPlugin(new SqlObjectPlugin());
        }

        /** The store's Jdbi, after applying its changelog. */
        public Jdbi migrated() {
            final Jdbi jdbi = jdbi();
            Migrations.apply(jdbi, AuditStore.CHANGELOG);
            return jdbi;
        }
    }

    public static Path tempDir() {
        try {
            return Files.createTempDirectory("audit-consumer-test");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The H2 file database in {@code dir}, as the embedded default uses. */
    public static String h2Url(Path dir) {
        return "jdbc:h2:file:" + dir.resolve("auth").toAbsolutePath() + ";AUTO_SERVER=TRUE;MODE=PostgreSQL;WRITE_DELAY=0";
    }

    /**
     * A consumer config on an H2 file in {@code dir}, reading {@code topic} from {@code bootstrapServers};
     * {@code topLevel} adds settings such as {@code retentionDays: 30}.
     */
    public static String write(Path dir, String bootstrapServers, String topic, String groupId, String... topLevel) {
        return write(dir, Store.h2(dir), bootstrapServers, topic, groupId, topLevel);
    }

    /**
     * A consumer config (written into {@code dir}) on {@code store}, reading {@code topic} from
     * {@code bootstrapServers}; {@code topLevel} adds settings such as {@code retentionDays: 30}.
     */
    public static String write(Path dir, Store store, String bootstrapServers, String topic, String groupId,
                               String... topLevel) {
        return write(dir, store, bootstrapServers, topic, groupId, List.of(), topLevel);
    }

    /**
     * The same, with further settings of the {@code kafka:} block ({@code kafkaSettings}, such as
     * {@code healthPollTimeout: 2s}, each one line, indented in it).
     */
    public static String write(Path dir, Store store, String bootstrapServers, String topic, String groupId,
                               List<String> kafkaSettings, String... topLevel) {
        final List<String> kafka = kafkaSettings.stream().map(line -> "  " + line).toList();
        final String yaml = String.join("\n",
                "database:",
                "  driverClass: " + store.driverClass(),
                "  url: \"" + store.url() + "\"",
                "  user: " + store.user(),
                "  password: \"" + store.password() + "\"",
                "kafka:",
                "  bootstrapServers: " + bootstrapServers,
                "  topic: " + topic,
                "  groupId: " + groupId,
                "  consumers: 2",
                "  maxPollRecords: 20",
                "  pollTimeout: 100ms",
                String.join("\n", kafka),
                "seal:",
                "  keyFile: " + dir.resolve("audit-seal.key").toAbsolutePath(),
                "server:",
                "  applicationConnectors: [{type: http, bindHost: 127.0.0.1, port: 0}]",
                "  adminConnectors: [{type: http, bindHost: 127.0.0.1, port: 0}]",
                "  requestLog: {appenders: []}",
                "logging:",
                "  level: WARN",
                "  loggers: {org.apache.kafka: WARN, liquibase: WARN}",
                "  appenders: [{type: console, target: stderr}]",
                String.join("\n", topLevel),
                "");
        try {
            final Path file = dir.resolve("config.yml");
            Files.writeString(file, yaml);
            return file.toString();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
