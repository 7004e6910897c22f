package io.authservice.audit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class OwnerOnlyFilesTest {
    @TempDir
    Path dir;

    @Test
    void createsTheFileWholeAndOwnerOnly() throws IOException {
        final Path file = dir.resolve("sub").resolve("secret");

        assertThat(OwnerOnlyFiles.createWith(file, "abc\n".getBytes(StandardCharsets.UTF_8))).isTrue();

        assertThat(Files.readString(file)).isEqualTo("abc\n");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file.getParent()))).isEqualTo("rwx------");
        assertThat(namesIn(file.getParent())).containsExactly("secret");
    }

    @Test
    void leavesAnExistingFileAsItIs() throws IOException {
        final Path file = dir.resolve("secret");
        Files.writeString(file, "first");

        assertThat(OwnerOnlyFiles.createWith(file, "second".getBytes(StandardCharsets.UTF_8))).isFalse();

        assertThat(Files.readString(file)).isEqualTo("first");
        assertThat(namesIn(dir)).containsExactly("secret");
    }

    @Test
    void aWriterThatFailsHalfwayLeavesNoFile() throws IOException {
        final Path file = dir.resolve("secret");

        assertThatThrownBy(() -> OwnerOnlyFiles.createWith(file, out -> {
            out.write("half of it".getBytes(StandardCharsets.UTF_8));
            throw new IOException("disk full");
        })).isInstanceOf(IOException.class).hasMessage("disk full");

        assertThat(file).doesNotExist();
        assertThat(namesIn(dir)).as("no temporary file left either").isEmpty();
    }

    @Test
    void aStaleTemporaryFileFromACrashDoesNotBlock() throws IOException {
        final Path file = dir.resolve("secret");
        // what a process killed before its rename leaves: a temporary file beside the target
        final Path stale = Files.writeString(dir.resolve(".secret.1234567890.tmp"), "half");

        assertThat(OwnerOnlyFiles.createWith(file, "whole".getBytes(StandardCharsets.UTF_8))).isTrue();

        assertThat(Files.readString(file)).isEqualTo("whole");
        assertThat(Files.readString(stale)).isEqualTo("half");
    }

    @Test
    void replaceSwapsTheWholeContentsAndKeepsTheFileOwnerOnly() throws IOException {
        final Path file = dir.resolve("keys.pub");
        Files.writeString(file, "old\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));

        OwnerOnlyFiles.replace(file, "old\nnew\n".getBytes(StandardCharsets.UTF_8));

        assertThat(Files.readString(file)).isEqualTo("old\nnew\n");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        assertThat(namesIn(dir)).containsExactly("keys.pub");
    }

    private static java.util.List<String> namesIn(Path directory) throws IOException {
        try (Stream<Path> files = Files.list(directory)) {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }
}
