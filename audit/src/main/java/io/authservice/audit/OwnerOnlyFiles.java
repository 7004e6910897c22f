package io.authservice.audit;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.Set;

/**
 * Directories (0700) and files (0600) that only their owner can open, for what the applications
 * keep on disk under their data directory: the embedded database, secrets, the audit journal.
 * Where the file system knows no POSIX permissions they are created plainly. A file with contents
 * is written crash-safely ({@link #createWith}, {@link #replace}): to a temporary file beside it,
 * synced, then renamed into place and the directory synced, so a process killed at any point
 * leaves the whole file or none (at worst a {@code .<name>.<random>.tmp} beside it, which blocks nothing).
 */
public final class OwnerOnlyFiles {
    private static final Set<PosixFilePermission> GROUP_OR_OTHERS = EnumSet.complementOf(EnumSet.of(
            PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE, PosixFilePermission.OWNER_EXECUTE));

    private OwnerOnlyFiles() {
    }

    /** Creates {@code directory} and whichever of its parents are missing, each owner-only (0700). */
    public static Path createDirectories(Path directory) throws IOException {
        try {
            return Files.createDirectories(directory, attribute("rwx------"));
        } catch (UnsupportedOperationException notPosix) {
            return Files.createDirectories(directory);
        }
    }

    /**
     * Creates {@code file} empty and owner-only (0600), and its missing directories owner-only (0700).
     *
     * @return false when the file already exists (left as it is)
     */
    public static boolean createFile(Path file) throws IOException {
        final Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            createDirectories(parent);
        }
        try {
            Files.createFile(file, attribute("rw-------"));
        } catch (FileAlreadyExistsException exists) {
            return false;
        } catch (UnsupportedOperationException notPosix) {
            try {
                Files.createFile(file);
            } catch (FileAlreadyExistsException exists) {
                return false;
            }
        }
        return true;
    }

    /**
     * Creates {@code file} owner-only holding {@code contents}, whole or not at all, unless it
     * already exists (then it is left as it is, even when another process made it meanwhile).
     *
     * @return false when the file already exists
     */
    public static boolean createWith(Path file, byte[] contents) throws IOException {
        return createWith(file, out -> out.write(contents));
    }

    /**
     * Creates {@code file} owner-only holding what {@code contents} writes, whole or not at all (when
     * it throws, no file is created), unless it already exists.
     *
     * @return false when the file already exists
     */
    public static boolean createWith(Path file, Contents contents) throws IOException {
        if (Files.exists(file)) {
            return false;
        }
        final Path temp = writeTemp(file, contents);
        try {
            try {
                Files.createLink(file, temp); // publishes the synced file only if none is there, atomically
            } catch (FileAlreadyExistsException exists) {
                return false;
            } catch (UnsupportedOperationException | FileSystemException noHardLinks) {
                if (Files.exists(file)) {
                    return false;
                }
                Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE);
            }
            syncDirectory(file);
            return true;
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    /** Writes {@code file} owner-only holding {@code contents}, replacing what it held, whole or not at all. */
    public static void replace(Path file, byte[] contents) throws IOException {
        final Path temp = writeTemp(file, out -> out.write(contents));
        try {
            Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            syncDirectory(file);
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    /** What a crash-safe file holds, written to the stream given. */
    @FunctionalInterface
    public interface Contents {
        void writeTo(OutputStream out) throws IOException;
    }

    /** A new owner-only temporary file beside {@code file} holding {@code contents}, synced to disk. */
    private static Path writeTemp(Path file, Contents contents) throws IOException {
        final Path parent = file.toAbsolutePath().getParent();
        createDirectories(parent);
        final String prefix = "." + file.getFileName() + ".";
        Path temp;
        try {
            temp = Files.createTempFile(parent, prefix, ".tmp", attribute("rw-------"));
        } catch (UnsupportedOperationException notPosix) {
            temp = Files.createTempFile(parent, prefix, ".tmp");
        }
        try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE)) {
            final OutputStream out = Channels.newOutputStream(channel);
            contents.writeTo(out);
            out.flush();
            channel.force(true);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(temp);
            throw e;
        }
        return temp;
    }

    /** Makes a rename in {@code file}'s directory durable (where the platform can open a directory). */
    private static void syncDirectory(Path file) throws IOException {
        try (FileChannel directory = FileChannel.open(file.toAbsolutePath().getParent(), StandardOpenOption.READ)) {
            directory.force(true);
        } catch (UnsupportedOperationException | AccessDeniedException notOnThisPlatform) {
            // Windows cannot open a directory; its rename is durable enough
        }
    }

    /** True when {@code path} exists and its group or others may access it (false where POSIX permissions are unknown). */
    public static boolean openToOthers(Path path) throws IOException {
        try {
            return Files.exists(path) && Files.getPosixFilePermissions(path).stream().anyMatch(GROUP_OR_OTHERS::contains);
        } catch (UnsupportedOperationException notPosix) {
            return false;
        }
    }

    private static FileAttribute<Set<PosixFilePermission>> attribute(String permissions) {
        return PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString(permissions));
    }
}
