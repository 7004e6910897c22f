package io.authservice.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.authservice.AuthServiceConfiguration;

import java.io.PrintStream;
import java.time.Clock;

/**
 * What the application gives each of its commands: where the command prints its answer, and the
 * application's clock (the one the server runs on; tests move it).
 */
public record CommandSetup(PrintStream out, Clock clock) {
    /** The command's objects for {@code config}, built as the server builds its own; close it when done. */
    CommandContext open(AuthServiceConfiguration config, ObjectMapper json) {
        return new CommandContext(config, json, clock);
    }
}
