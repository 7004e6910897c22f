package io.authservice.testing;

import io.authservice.AuthServiceApplication;
import io.authservice.AuthServiceConfiguration;
import io.dropwizard.core.cli.Cli;
import io.dropwizard.core.setup.Bootstrap;
import io.dropwizard.util.JarLocation;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Optional;

/** Runs the service jar's commands in-process, through Dropwizard's real command line, capturing output. */
public final class CommandRunner {
    private CommandRunner() {
    }

    /** What a command printed and whether it failed (a failed command exits non-zero from the jar). */
    public record Result(String stdout, String stderr, Optional<Throwable> failure) {
        public boolean succeeded() {
            return failure.isEmpty();
        }
    }

    /** Runs a command on the application's own clock (as the jar does). */
    public static Result run(String... args) {
        return runWithStdin(null, args);
    }

    /** Runs a command whose clock is {@code clock} (e.g. a {@link TestClock}), as the application's is in tests. */
    public static Result run(Clock clock, String... args) {
        return run(clock, null, args);
    }

    /** Runs with {@code stdin} as the process's standard input (e.g. a password). */
    public static Result runWithStdin(String stdin, String... args) {
        return run(null, stdin, args);
    }

    private static synchronized Result run(Clock clock, String stdin, String... args) {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final ByteArrayOutputStream err = new ByteArrayOutputStream();
        final PrintStream stdout = new PrintStream(out, true, StandardCharsets.UTF_8);
        final PrintStream stderr = new PrintStream(err, true, StandardCharsets.UTF_8);
        final InputStream originalIn = System.in;
        try {
            if (stdin != null) {
                System.setIn(new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)));
            }
            final AuthServiceApplication application = clock == null ? new AuthServiceApplication(stdout)
                    : new AuthServiceApplication(stdout) {
                        @Override
                        protected Clock clock() {
                            return clock;
                        }
                    };
            final Bootstrap<AuthServiceConfiguration> bootstrap = new Bootstrap<>(application);
            application.initialize(bootstrap);
            final Cli cli = new Cli(new JarLocation(AuthServiceApplication.class), bootstrap, stdout, stderr);
            final Optional<Throwable> failure = cli.run(args);
            return new Result(out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8), failure);
        } catch (Exception e) {
            throw new IllegalStateException("the command line itself failed", e);
        } finally {
            System.setIn(originalIn);
        }
    }
}
