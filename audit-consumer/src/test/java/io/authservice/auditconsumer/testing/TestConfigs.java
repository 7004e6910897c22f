package io.authservice.auditconsumer.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Configuration files for a test audit-consumer. */
public final class TestConfigs {
    private TestConfigs() {
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
        return "jdbc:h2:file:" + dir.resolve("auth").toAbsolutePath() + ";AUTO_SERVER=TRUE;MODE=PostgreSQL";
    }

    /**
     * A consumer config on an H2 file in {@code dir}, reading {@code topic} from {@code bootstrapServers};
     * {@code topLevel} adds settings such as {@code retentionDays: 30}.
     */
    public static String write(Path dir, String bootstrapServers, String topic, String groupId, String... topLevel) {
        final String yaml = String.join("\n",
                "database:",
                "  driverClass: org.h2.Driver",
                "  url: \"" + h2Url(dir) + "\"",
                "  user: auth",
                "  password: \"\"",
                "kafka:",
                "  bootstrapServers: " + bootstrapServers,
                "  topic: " + topic,
                "  groupId: " + groupId,
                "  consumers: 2",
                "  maxPollRecords: 20",
                "  pollTimeout: 100ms",
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
