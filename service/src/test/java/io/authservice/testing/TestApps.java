package io.authservice.testing;

import io.dropwizard.testing.ConfigOverride;
import io.dropwizard.testing.ResourceHelpers;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/** Configuration for running the whole service in a test with {@code DropwizardAppExtension}. */
public final class TestApps {
    /** The admin token every test app uses. */
    public static final String ADMIN_TOKEN = "test-admin-token-0123456789";
    /** The audit fingerprint secret of every test app (as in test-config.yml), unless a test sets its own. */
    public static final String FINGERPRINT_SECRET = "test-fingerprint-secret-0123456789abcdef";
    /** WARN and above to stderr, the audit logger off. */
    private static final String QUIET_LOGGING = String.join("\n",
            "logging:",
            "  level: WARN",
            "  loggers: {audit: \"OFF\"}",
            "  appenders: [{type: console, target: stderr}]");

    private TestApps() {
    }

    /** The directories {@link #tempDir} made, deleted when the test JVM exits. */
    private static final Set<Path> TEMP_DIRS = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> TEMP_DIRS.forEach(TestApps::deleteTree), "test-temp-dirs"));
    }

    /**
     * A fresh temporary directory, e.g. for a test app's data directory or H2 files, deleted with all it
     * holds when the test JVM exits (a service's data directory with its journal is over 100 MB; left
     * behind by every run, they fill the disk).
     */
    public static Path tempDir() {
        try {
            final Path dir = Files.createTempDirectory("auth-test");
            TEMP_DIRS.add(dir);
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void deleteTree(Path root) {
        try (Stream<Path> paths = Files.walk(root)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException | UncheckedIOException e) {
            // already gone, or unreadable: nothing more to do at exit
        }
    }

    /** The test configuration file (random ports, quiet logs). */
    public static String configPath() {
        return ResourceHelpers.resourceFilePath("test-config.yml");
    }

    /**
     * Writes a complete configuration for {@code db} into {@code dir} (random ports, the test admin
     * token, quiet logs) and returns its path: for a test app and the commands run beside it.
     */
    public static String writeConfig(TestDatabases.Db db, Path dir, String... extraYaml) {
        return writeInstanceConfig(db, dir, "test", "200ms", extraYaml);
    }

    /**
     * As {@link #writeConfig(TestDatabases.Db, Path, String...)}, naming the instance and its
     * revocation poll interval. Prefer this to {@code ConfigOverride} when a test runs several apps:
     * overrides are JVM-wide system properties, and two apps overriding the same key restore each
     * other's values on shutdown, leaking them into later test classes.
     */
    public static String writeInstanceConfig(TestDatabases.Db db, Path dir, String instanceId, String pollInterval,
                                     String... extraYaml) {
        return write(db, dir, instanceId, pollInterval, "[]", QUIET_LOGGING, extraYaml);
    }

    /**
     * As {@link #writeConfig(TestDatabases.Db, Path, String...)}, with the request log's
     * {@code appenders} and the whole {@code logging} section given: for tests that read the logs.
     */
    public static String writeConfigWithLogs(TestDatabases.Db db, Path dir, String requestLogAppenders, String logging,
                                             String... extraYaml) {
        return write(db, dir, "test", "200ms", requestLogAppenders, logging, extraYaml);
    }

    private static String write(TestDatabases.Db db, Path dir, String instanceId, String pollInterval,
                                String requestLogAppenders, String logging, String... extraYaml) {
        // the JWT signing key is generated into the test's directory unless the test configures jwt itself
        final String jwt = Arrays.stream(extraYaml).anyMatch(line -> line.startsWith("jwt:")) ? ""
                : "jwt: {signingKey: {file: \"" + dir.resolve("jwt-signing-key.pem") + "\"}}";
        final String yaml = String.join("\n",
                "database:",
                "  driverClass: " + db.driverClass(),
                "  url: \"" + db.url() + "\"",
                "  user: " + db.user(),
                "  password: \"" + db.password() + "\"",
                "  maxSize: 16",
                "instanceId: " + instanceId,
                "apiKeys:",
                "  revocationPollInterval: " + pollInterval,
                "  defaultRotationGrace: 6h",
                "adminAccess:",
                "  token: " + ADMIN_TOKEN,
                "server:",
                "  applicationConnectors: [{type: http, bindHost: 127.0.0.1, port: 0}]",
                "  adminConnectors: [{type: http, bindHost: 127.0.0.1, port: 0}]",
                "  requestLog: {appenders: " + requestLogAppenders + "}",
                jwt,
                logging,
                String.join("\n", withTestAuditSettings(dir, extraYaml)),
                "");
        try {
            java.nio.file.Files.createDirectories(dir);
            final Path file = dir.resolve("config.yml");
            java.nio.file.Files.writeString(file, yaml);
            return file.toString();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /**
     * The extra lines with {@link #FINGERPRINT_SECRET}, a journal directory and a seal key file in {@code dir} in
     * their {@code audit} section (block or flow style), or in one of its own: so no test app
     * generates a secret file, or shares a journal, in the working directory. A test that configures
     * either itself keeps its own.
     */
    private static List<String> withTestAuditSettings(Path dir, String... extraYaml) {
        final List<String> lines = new ArrayList<>(Arrays.asList(extraYaml));
        final List<String> settings = new ArrayList<>();
        if (lines.stream().noneMatch(line -> line.contains("fingerprintSecret"))) {
            settings.add("fingerprintSecret: " + FINGERPRINT_SECRET);
        }
        if (lines.stream().noneMatch(line -> line.contains("journal"))) {
            settings.add("journal: {directory: \"" + dir.resolve("audit-journal") + "\"}");
        }
        if (lines.stream().noneMatch(line -> line.contains("seal"))) {
            settings.add("seal: {keyFile: \"" + dir.resolve("audit-seal.key") + "\"}");
        }
        if (settings.isEmpty()) {
            return lines;
        }
        for (int i = 0; i < lines.size(); i++) {
            final String line = lines.get(i);
            if (line.equals("audit:")) {
                for (int j = 0; j < settings.size(); j++) {
                    lines.add(i + 1 + j, "  " + settings.get(j));
                }
                return lines;
            }
            if (line.startsWith("audit: {")) {
                final String rest = line.substring("audit: {".length()).trim();
                lines.set(i, "audit: {" + String.join(", ", settings) + (rest.startsWith("}") ? "" : ", ") + rest);
                return lines;
            }
        }
        lines.add("audit: {" + String.join(", ", settings) + "}");
        return lines;
    }

    /**
     * Stores a key of a known value through the real lifecycle service (as {@code import-api-keys}
     * does), straight into {@code db}, stamped by {@code clock} (the clock of the service that will
     * read it): for tests that need to know a key before it exists.
     */
    public static void importKey(TestDatabases.Db db, String name, String key, java.time.Clock clock) {
        final org.jdbi.v3.core.Jdbi jdbi = io.authservice.db.Databases.configure(
                org.jdbi.v3.core.Jdbi.create(db.url(), db.user(), db.password()));
        new io.authservice.core.ApiKeyService(jdbi, new io.authservice.core.ApiKeySecrets(new java.security.SecureRandom()),
                clock, event -> { }, io.authservice.core.Scopes.INTERNAL_READ, "test")
                .importKeys(List.of(new io.authservice.core.ImportedApiKey(2, name, key, true, null)),
                        List.of(), io.authservice.core.Actor.command());
    }

    /** Overrides that point the service at {@code db}, with its admin token file in {@code dataDir}. */
    public static ConfigOverride[] overrides(TestDatabases.Db db, Path dataDir, ConfigOverride... more) {
        final List<ConfigOverride> all = new ArrayList<>(List.of(
                ConfigOverride.config("database.driverClass", db.driverClass()),
                ConfigOverride.config("database.url", db.url()),
                ConfigOverride.config("database.user", db.user()),
                ConfigOverride.config("database.password", db.password()),
                ConfigOverride.config("adminAccess.tokenFile", dataDir.resolve("admin-token").toString()),
                ConfigOverride.config("jwt.signingKey.file", dataDir.resolve("jwt-signing-key.pem").toString()),
                ConfigOverride.config("audit.journal.directory", dataDir.resolve("audit-journal").toString())));
        all.addAll(Arrays.asList(more));
        return all.toArray(new ConfigOverride[0]);
    }
}
