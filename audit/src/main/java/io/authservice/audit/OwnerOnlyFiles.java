package io.authservice.audit;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.Set;

/**
 * Directories (0700) and files (0600) that only their owner can open, for what the applications
 * keep on disk under their data directory: the embedded database, secrets, the audit journal.
 * Where the file system knows no POSIX permissions they are created plainly.
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
