package io.authservice.testing;

import io.authservice.AuthServiceApplication;
import jakarta.ws.rs.client.Client;
import jakarta.ws.rs.client.ClientBuilder;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;

/**
 * The service as a child JVM on the test JVM's class path, run as an operator runs the jar: the
 * shipped {@code config.yml} (or another config) in a working directory of its own, so that its
 * {@code ./data} is that directory's, with the environment given. It can be killed (SIGKILL, as the
 * kernel kills an out-of-memory process), stopped (SIGTERM, as a container runtime stops it) and
 * started again on the same directory and ports. Its stdout and stderr go to {@link #log()}.
 */
public final class ServiceProcess implements AutoCloseable {
    /** The service's own configuration file, as shipped. */
    public static final Path SHIPPED_CONFIG = Path.of("..", "config.yml").toAbsolutePath().normalize();
    private static final Duration START_TIMEOUT = Duration.ofSeconds(90);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(60);
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private final Path workDir;
    private final Path config;
    private final Map<String, String> environment;
    private final int port;
    private final int adminPort;
    private final Path log;
    private Process process;
    private int starts;
    private Client client;

    private ServiceProcess(Path workDir, Path config, Map<String, String> environment, int port, int adminPort) {
        this.workDir = workDir;
        this.config = config;
        this.environment = environment;
        this.port = port;
        this.adminPort = adminPort;
        this.log = workDir.resolve("service.log");
    }

    /**
     * The service on the shipped {@code config.yml} in {@code workDir}, on two free loopback ports
     * and with the test admin token ({@link TestApps#ADMIN_TOKEN}); {@code environment} adds to
     * or overrides that (e.g. {@code AUTH_DB_URL}). Not started yet.
     */
    public static ServiceProcess shipped(Path workDir, Map<String, String> environment) {
        final int port = freePort();
        final int adminPort = freePort();
        final Map<String, String> env = new HashMap<>(Map.of(
                "AUTH_PORT", Integer.toString(port),
                "AUTH_ADMIN_PORT", Integer.toString(adminPort),
                "AUTH_BIND_HOST", "127.0.0.1",
                "AUTH_ADMIN_TOKEN", TestApps.ADMIN_TOKEN));
        env.putAll(environment);
        return new ServiceProcess(workDir, SHIPPED_CONFIG, env, port, adminPort);
    }

    /** A free TCP port on loopback, for a child's fixed port (it stays the same across restarts). */
    public static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Starts the child JVM and waits until its health check answers 200; fails if it exits first. */
    public ServiceProcess start() {
        if (process != null && process.isAlive()) {
            throw new IllegalStateException("already running (pid " + process.pid() + ")");
        }
        try {
            Files.createDirectories(workDir);
            Files.writeString(log, "=== start " + (++starts) + "\n", StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            process = jvm("server").redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the service", e);
        }
        await("the service on port " + port + " to answer its health check").atMost(START_TIMEOUT)
                .pollInterval(Duration.ofMillis(200)).until(() -> {
                    if (!process.isAlive()) {
                        throw new AssertionError("the service exited with " + process.exitValue() + " before it was healthy:\n"
                                + logTail());
                    }
                    return healthStatus() == 200;
                });
        return this;
    }

    /** What a command printed (stdout and stderr together) and its exit code. */
    public record CommandResult(int exitCode, String output) {
    }

    /**
     * Runs one of the jar's commands as a JVM of its own, as an operator runs it beside the service:
     * the same working directory, configuration and environment; {@code args} come before the
     * config file (e.g. {@code "list-api-keys"}). Waits for it at most a minute.
     */
    public CommandResult command(String... args) {
        final Path output = workDir.resolve("command-" + System.nanoTime() + ".log");
        try {
            final Process command = jvm(args).redirectOutput(output.toFile()).start();
            if (!awaitExit(command, STOP_TIMEOUT)) {
                command.destroyForcibly();
                throw new AssertionError("the command " + String.join(" ", args) + " did not end within " + STOP_TIMEOUT);
            }
            return new CommandResult(command.exitValue(), Files.readString(output, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run the command " + String.join(" ", args), e);
        }
    }

    /** A child JVM of the application on the test class path: {@code args}, then the config file. */
    private ProcessBuilder jvm(String... args) {
        final List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Duser.timezone=UTC",
                AuthServiceApplication.class.getName()));
        command.addAll(List.of(args));
        command.add(config.toString());
        final ProcessBuilder builder = new ProcessBuilder(command).directory(workDir.toFile()).redirectErrorStream(true);
        // nothing of the outer environment's AUTH_* settings leaks in; the class path through the environment
        builder.environment().keySet().removeIf(name -> name.startsWith("AUTH_"));
        builder.environment().putAll(environment);
        builder.environment().put("CLASSPATH", System.getProperty("java.class.path"));
        return builder;
    }

    /** Kills the process at once (SIGKILL: no shutdown hook runs) and waits until it is gone. */
    public void kill() {
        process.destroyForcibly();
        awaitExit(process, STOP_TIMEOUT);
    }

    /**
     * Stops the process with SIGTERM (its graceful stop) and waits until it exited, at most a
     * minute; returns its exit code. Fails (and kills it) if it did not exit in time.
     */
    public int stop() {
        process.destroy();
        if (!awaitExit(process, STOP_TIMEOUT)) {
            process.destroyForcibly();
            throw new AssertionError("the service did not stop within " + STOP_TIMEOUT + " of SIGTERM:\n" + logTail());
        }
        return process.exitValue();
    }

    private static boolean awaitExit(Process process, Duration bound) {
        try {
            return process.waitFor(bound.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public boolean isAlive() {
        return process != null && process.isAlive();
    }

    public long pid() {
        return process.pid();
    }

    public int port() {
        return port;
    }

    public int adminPort() {
        return adminPort;
    }

    /** The working directory: the service's {@code ./data} is in it. */
    public Path workDir() {
        return workDir;
    }

    /** The child's stdout and stderr, over all its starts. */
    public Path log() {
        return log;
    }

    /** Plain HTTP calls to the application port. */
    public Http http() {
        return new Http(port);
    }

    /** Admin tasks on the admin port, with the test admin token. */
    public synchronized AdminClient admin() {
        if (client == null) {
            client = ClientBuilder.newClient();
        }
        return new AdminClient(client, adminPort);
    }

    /** The status of {@code /healthcheck} on the admin port, or -1 while nothing answers. */
    public int healthStatus() {
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + adminPort + "/healthcheck"))
                    .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException notYet) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The last lines the child wrote, for a failure message. */
    public String logTail() {
        try {
            final List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 60), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    /** Kills the process if it still runs. */
    @Override
    public void close() {
        if (isAlive()) {
            kill();
        }
        if (client != null) {
            client.close();
        }
    }
}
