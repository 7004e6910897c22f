package io.authservice.audit;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The embedded H2 database's directory and files, made owner-only before H2 creates them, and kept so by H2. */
class EmbeddedH2Test {
    @TempDir
    Path dir;

    @BeforeAll
    static void posix() throws IOException {
        assumeTrue(Files.getFileStore(Path.of(System.getProperty("java.io.tmpdir"))).supportsFileAttributeView("posix"));
    }

    private static String mode(Path path) throws IOException {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(path));
    }

    @Test
    void theDirectoryAndTheFilesH2FillsAreCreatedOwnerOnlyAndStaySo() throws Exception {
        final Path data = dir.resolve("data").resolve("nested");
        final String url = "jdbc:h2:file:" + data.resolve("auth") + ";AUTO_SERVER=TRUE;MODE=PostgreSQL;WRITE_DELAY=0";
        EmbeddedH2.prepareFiles(url);
        assertThat(mode(dir.resolve("data"))).isEqualTo("rwx------");
        assertThat(mode(data)).isEqualTo("rwx------");
        assertThat(mode(data.resolve("auth.mv.db"))).isEqualTo("rw-------");
        assertThat(mode(data.resolve("auth.trace.db"))).isEqualTo("rw-------");

        try (Connection c = DriverManager.getConnection(url, "auth", ""); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE t (x INT)");
            s.execute("INSERT INTO t VALUES (1)");
            s.execute("SELECT * FROM no_such_table_so_that_h2_traces_an_error");
        } catch (java.sql.SQLException expected) {
            // the failed statement is written to the trace file
        }
        assertThat(Files.size(data.resolve("auth.mv.db"))).as("H2 took the empty file as a new database").isPositive();
        assertThat(Files.size(data.resolve("auth.trace.db"))).isPositive();
        assertThat(mode(data.resolve("auth.mv.db"))).isEqualTo("rw-------");
        assertThat(mode(data.resolve("auth.trace.db"))).isEqualTo("rw-------");
    }

    @Test
    void existingFilesAndOtherUrlsAreLeftAlone() throws Exception {
        final Path existing = Files.writeString(Files.createDirectories(dir.resolve("old")).resolve("auth.mv.db"), "not empty");
        EmbeddedH2.prepareFiles("jdbc:h2:file:" + dir.resolve("old").resolve("auth"));
        assertThat(Files.readString(existing)).isEqualTo("not empty");

        assertThat(EmbeddedH2.fileDatabase("jdbc:h2:file:./data/auth;AUTO_SERVER=TRUE")).isEqualTo(Path.of("./data/auth"));
        assertThat(EmbeddedH2.fileDatabase("JDBC:H2:FILE:/var/lib/auth/db")).isEqualTo(Path.of("/var/lib/auth/db"));
        assertThat(EmbeddedH2.fileDatabase("jdbc:h2:mem:test")).isNull();
        assertThat(EmbeddedH2.fileDatabase("jdbc:h2:tcp://localhost/./data/auth")).isNull();
        assertThat(EmbeddedH2.fileDatabase("jdbc:postgresql://db:5432/auth")).isNull();
        assertThat(EmbeddedH2.fileDatabase(null)).isNull();
    }

    @Test
    void ownerOnlyFilesAreCreatedOnce() throws IOException {
        final Path file = dir.resolve("a").resolve("b").resolve("secret");
        assertThat(OwnerOnlyFiles.createFile(file)).isTrue();
        assertThat(OwnerOnlyFiles.createFile(file)).as("already there").isFalse();
        assertThat(mode(file)).isEqualTo("rw-------");
        assertThat(mode(dir.resolve("a"))).isEqualTo("rwx------");
        assertThat(mode(dir.resolve("a").resolve("b"))).isEqualTo("rwx------");
        assertThat(OwnerOnlyFiles.openToOthers(file)).isFalse();
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r-----"));
        assertThat(OwnerOnlyFiles.openToOthers(file)).isTrue();
        assertThat(OwnerOnlyFiles.openToOthers(dir.resolve("missing"))).isFalse();
    }
}
