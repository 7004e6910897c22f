package io.authservice.deploy;

import io.authservice.testing.ListeningSockets;
import io.authservice.testing.ServiceProcess;
import io.authservice.testing.TestApps;
import io.authservice.testing.TestDatabases;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.io.IOException;
import java.io.Reader;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The embedded default's {@code ./data} as the shipped config creates it on first start: only its
 * owner can enter it or read what is in it (key and password hashes, the audit trail, secrets), and
 * the TCP server that H2's AUTO_SERVER opens, through which the jar's commands share the database
 * with the running service, listens on loopback only. The two tests on the embedded default share
 * one service, started by whichever runs first (and again if it is down); the commands' test runs
 * first so that one start serves both, since the other ends with a stop.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DataDirectoryIntegrationTest {
    private static ServiceProcess embeddedDefault;
    private ServiceProcess postgres;

    @AfterEach
    void stopPostgres() {
        if (postgres != null) {
            postgres.close();
        }
    }

    @AfterAll
    static void stopEmbeddedDefault() {
        if (embeddedDefault != null) {
            embeddedDefault.close();
        }
    }

    private static ServiceProcess embeddedDefault() {
        if (embeddedDefault == null) {
            embeddedDefault = ServiceProcess.shipped(TestApps.tempDir(), Map.of());
        }
        return embeddedDefault.isAlive() ? embeddedDefault : embeddedDefault.start();
    }

    @Test
    @Order(2)
    void theDataDirectoryIsOwnerOnlyAndSoIsEveryFileInIt() throws IOException {
        assertOwnerOnlyUnderLoad(embeddedDefault(), "auth.mv.db", "audit-journal", "audit-fingerprint-secret", "jwt-signing-key.pem");
    }

    @Test
    @Order(3)
    void onPostgresqlTheJournalAndTheSecretsMakeItOwnerOnlyToo() throws IOException {
        postgres = ServiceProcess.shipped(TestApps.tempDir(), TestDatabases.newPostgres().environment()).start();
        assertOwnerOnlyUnderLoad(postgres, "audit-journal", "audit-fingerprint-secret", "jwt-signing-key.pem");
    }

    private static void assertOwnerOnlyUnderLoad(ServiceProcess service, String... expected) throws IOException {
        assumeTrue(Files.getFileStore(Path.of(System.getProperty("java.io.tmpdir"))).supportsFileAttributeView("posix"));
        final String key = service.admin().json("create-api-key", Map.of("name", "some-key")).get("key").asText();
        assertThat(service.http().get("/api/v1/whoami/", "X-API-Key", key).status()).isEqualTo(200);
        final Path data = service.workDir().resolve("data");
        try (Stream<Path> files = Files.list(data)) {
            assertThat(files.map(file -> file.getFileName().toString())).contains(expected);
        }
        assertOwnerOnly(data);

        service.stop();
        assertOwnerOnly(data);
    }

    /** The directory and its subdirectories 0700, its files 0600; H2's lock file (there while the database is open) as the umask made it. */
    private static void assertOwnerOnly(Path data) throws IOException {
        try (Stream<Path> all = Files.walk(data)) {
            for (Path path : all.toList()) {
                final String mode = PosixFilePermissions.toString(Files.getPosixFilePermissions(path));
                if (Files.isDirectory(path)) {
                    assertThat(mode).as(path.toString()).isEqualTo("rwx------");
                } else if (!path.getFileName().toString().endsWith(".lock.db")) {
                    assertThat(mode).as(path.toString()).isEqualTo("rw-------");
                }
            }
        }
    }

    @Test
    @Order(1)
    void commandsShareTheDatabaseThroughAServerOnLoopbackOnly() throws IOException {
        assumeTrue(ListeningSockets.available(), "needs Linux's /proc/net/tcp");
        final ServiceProcess service = embeddedDefault();
        service.admin().json("create-api-key", Map.of("name", "made-by-a-task"));

        final Properties lock = new Properties();
        try (Reader in = Files.newBufferedReader(service.workDir().resolve("data").resolve("auth.lock.db"))) {
            lock.load(in);
        }
        final String server = lock.getProperty("server");
        assertThat(server).as("the lock file names H2's server").isNotBlank();
        final List<InetAddress> listening = ListeningSockets.addressesOn(Integer.parseInt(server.substring(server.lastIndexOf(':') + 1)));
        assertThat(listening).as("where H2's server listens").isNotEmpty().allMatch(InetAddress::isLoopbackAddress);

        final ServiceProcess.CommandResult created = service.command("create-api-key", "--name", "made-by-a-command");
        assertThat(created.exitCode()).as(created.output()).isZero();
        final ServiceProcess.CommandResult listed = service.command("list-api-keys");
        assertThat(listed.exitCode()).as(listed.output()).isZero();
        assertThat(listed.output()).contains("made-by-a-task", "made-by-a-command");
        assertThat(service.admin().run("list-api-keys", Map.of()).body()).contains("made-by-a-command");
    }
}
