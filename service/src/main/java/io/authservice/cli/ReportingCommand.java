package io.authservice.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.authservice.AuthServiceConfiguration;
import io.authservice.core.InvalidInputException;
import io.authservice.core.RequestRefusedException;
import io.authservice.core.Report;
import io.dropwizard.jersey.errors.ErrorMessage;
import io.dropwizard.core.cli.Cli;
import io.dropwizard.core.cli.ConfiguredCommand;
import io.dropwizard.core.setup.Bootstrap;
import net.sourceforge.argparse4j.impl.Arguments;
import net.sourceforge.argparse4j.inf.Namespace;
import net.sourceforge.argparse4j.inf.Subparser;

import java.io.IOException;
import java.io.PrintStream;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Function;

/**
 * A command on the service jar that answers with a {@link Report}: a human line by default, or
 * with {@code --json} exactly one JSON object on stdout (logs go to stderr). A request that cannot
 * be carried out prints its message ({@code {"code":..,"message":..}} with {@code --json}) and
 * exits non-zero.
 */
public abstract class ReportingCommand extends ConfiguredCommand<AuthServiceConfiguration> {
    private final CommandSetup setup;
    private final PrintStream out;

    protected ReportingCommand(String name, String description, CommandSetup setup) {
        super(name, description);
        this.setup = setup;
        this.out = setup.out();
    }

    /** Declares the command's own arguments (the config file and {@code --json} are added for you). */
    protected abstract void addArguments(Subparser subparser);

    /** Does the command's work; throws {@link RequestRefusedException} for anything the operator must fix. */
    protected abstract Report run(Namespace namespace, CommandContext context) throws Exception;

    @Override
    public final void configure(Subparser subparser) {
        super.configure(subparser);
        subparser.addArgument("--json")
                .action(Arguments.storeTrue())
                .help("print exactly one JSON object on stdout instead of a human summary");
        addArguments(subparser);
    }

    @Override
    protected final void run(Bootstrap<AuthServiceConfiguration> bootstrap, Namespace namespace,
                             AuthServiceConfiguration configuration) throws Exception {
        final boolean json = Boolean.TRUE.equals(namespace.getBoolean("json"));
        try (CommandContext context = setup.open(configuration, bootstrap.getObjectMapper())) {
            final Report report;
            try {
                report = run(namespace, context);
            } catch (RequestRefusedException e) {
                if (json) {
                    out.println(context.json().writeValueAsString(new ErrorMessage(e.status(), e.getMessage())));
                }
                throw new CommandFailedException(e.getMessage());
            }
            out.println(json ? render(context, report) : report.text());
            out.flush();
        }
    }

    /** {@code --csv FILE}, required, for {@link #readCsv}. */
    protected static void addCsv(Subparser subparser) {
        subparser.addArgument("--csv").required(true).help("the CSV file, with a header row");
    }

    /** The rows {@code parse} reads from the file named by {@code --csv} (UTF-8); a missing file is the operator's to fix. */
    protected static <T> List<T> readCsv(Namespace namespace, Function<Reader, List<T>> parse) throws IOException {
        final Path file = Path.of(namespace.getString("csv"));
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            return parse.apply(reader);
        } catch (NoSuchFileException e) {
            throw new InvalidInputException("no such file: " + file);
        }
    }

    @Override
    public void onError(Cli cli, Namespace namespace, Throwable e) {
        // the message, never a stack trace: the operator can act on it
        cli.getStdErr().println("error: " + e.getMessage());
    }

    private static String render(CommandContext context, Report report) throws JsonProcessingException {
        return context.json().writeValueAsString(report.json());
    }

    /** The command was refused; its message has been or will be printed, and the process exits non-zero. */
    public static final class CommandFailedException extends RuntimeException {
        public CommandFailedException(String message) {
            super(message, null, false, false);
        }
    }
}
