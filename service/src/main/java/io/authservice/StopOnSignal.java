package io.authservice;

import org.eclipse.jetty.server.Server;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;

import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The service's graceful stop on SIGTERM (and SIGINT): the whole server stops (connectors, then
 * every managed object, the audit pipeline and the last-used flush, then the database pool) before
 * the JVM begins to exit, and then the process exits as the JVM would have, with 128 + the signal's
 * number. Left to the JVM, a signal runs every shutdown hook at once, and the embedded H2's own hook
 * closes the database while the server is still stopping and needs it. A second signal while
 * stopping halts the process at once.
 */
final class StopOnSignal {
    private static final Logger LOG = LoggerFactory.getLogger(StopOnSignal.class);

    private StopOnSignal() {
    }

    /** Handles SIGTERM and SIGINT for {@code server}, instead of the JVM's default handlers. */
    static void install(Server server) {
        final AtomicBoolean stopping = new AtomicBoolean();
        for (String name : List.of("TERM", "INT")) {
            Signal.handle(new Signal(name), signal -> {
                final int exitCode = 128 + signal.getNumber();
                if (!stopping.compareAndSet(false, true)) {
                    LOG.warn("SIG{} again while stopping: halting now", signal.getName());
                    Runtime.getRuntime().halt(exitCode);
                }
                LOG.info("SIG{}: stopping the server", signal.getName());
                // not on the handler's own thread, which is a daemon: once the server's threads end, the JVM
                // would exit (with 0) before the handler reached System.exit; a non-daemon thread holds it open
                final Thread stopper = new Thread(() -> {
                    try {
                        server.stop();
                    } catch (Exception e) {
                        LOG.error("the server did not stop cleanly", e);
                    } finally {
                        System.exit(exitCode);
                    }
                }, "graceful-stop");
                stopper.setDaemon(false);
                stopper.start();
            });
        }
    }
}
