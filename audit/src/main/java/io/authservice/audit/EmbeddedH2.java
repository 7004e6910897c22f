package io.authservice.audit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Locale;

/**
 * What the embedded H2 default needs from the applications that open it: a data directory only
 * their owner can enter, created before H2 creates it (H2 creates its directory and files with the
 * process's umask, world-readable), and the TCP server of {@code AUTO_SERVER=TRUE} (through which the
 * jar's commands and the other application share the file with the process that has it open) bound
 * to loopback instead of every address.
 */
public final class EmbeddedH2 {
    /** H2's system property for the address its servers listen on (read once, when H2 is first used). */
    public static final String BIND_ADDRESS_PROPERTY = "h2.bindAddress";
    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedH2.class);
    private static final String FILE_URL = "jdbc:h2:file:";

    private EmbeddedH2() {
    }

    /**
     * Binds H2's servers to 127.0.0.1, unless {@code -Dh2.bindAddress} chose otherwise. Call it before
     * anything opens an H2 database: H2 reads the property once.
     */
    public static void bindServersToLoopback() {
        if (System.getProperty(BIND_ADDRESS_PROPERTY) == null) {
            System.setProperty(BIND_ADDRESS_PROPERTY, "127.0.0.1");
        }
    }

    /**
     * For an H2 file URL ({@code jdbc:h2:file:./data/auth;...}), creates the database's directory
     * owner-only (0700) if it is missing, and its data file ({@code auth.mv.db}) and trace file
     * ({@code auth.trace.db}) empty and owner-only (0600), which H2 then fills; warns when an
     * existing directory is open to others. The lock file H2 writes while the database is open
     * ({@code auth.lock.db}) gets the umask's mode but lies in that directory. Other URLs: nothing.
     */
    public static void prepareFiles(String jdbcUrl) {
        final Path database = fileDatabase(jdbcUrl);
        if (database == null) {
            return;
        }
        final Path directory = database.toAbsolutePath().normalize().getParent();
        try {
            if (OwnerOnlyFiles.openToOthers(directory)) {
                LOG.warn("The database directory {} is open to other users; `chmod 700 {}` keeps them out", directory, directory);
            }
            OwnerOnlyFiles.createDirectories(directory);
            final String name = database.getFileName().toString();
            OwnerOnlyFiles.createFile(directory.resolve(name + ".mv.db"));
            OwnerOnlyFiles.createFile(directory.resolve(name + ".trace.db"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the database directory " + directory, e);
        }
    }

    /** The database path of an H2 file URL ({@code ./data/auth}), or null for any other URL. */
    static Path fileDatabase(String jdbcUrl) {
        if (jdbcUrl == null || !jdbcUrl.toLowerCase(Locale.ROOT).startsWith(FILE_URL)) {
            return null;
        }
        final String rest = jdbcUrl.substring(FILE_URL.length());
        final int settings = rest.indexOf(';');
        final String path = settings < 0 ? rest : rest.substring(0, settings);
        return path.startsWith("~") ? Path.of(System.getProperty("user.home") + path.substring(1)) : Path.of(path);
    }
}
