package io.authservice.cli;

import io.authservice.core.Actor;
import io.authservice.core.DirectoryCsv;
import io.authservice.core.InvalidInputException;
import io.authservice.core.NewEmployee;
import io.authservice.core.NewUser;
import io.authservice.core.Report;
import io.authservice.core.Roles;
import io.authservice.core.UserRef;
import net.sourceforge.argparse4j.impl.Arguments;
import net.sourceforge.argparse4j.inf.MutuallyExclusiveGroup;
import net.sourceforge.argparse4j.inf.Namespace;
import net.sourceforge.argparse4j.inf.Subparser;

import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * The user and employee commands on the service jar; each does what the admin task of the same name
 * does. A password never travels as an argument (it would sit in the shell history and in
 * {@code ps}): {@code create-user} reads it from stdin with {@code --password-stdin}, else from
 * {@value #PASSWORD_VARIABLE} if that is set, else creates the user without a password.
 */
public final class DirectoryCommands {
    public static final String PASSWORD_VARIABLE = "AUTH_USER_PASSWORD";

    private DirectoryCommands() {
    }

    /**
     * @param stdin where {@code --password-stdin} reads from
     * @param env   the environment ({@code System::getenv})
     */
    public static List<ReportingCommand> all(CommandSetup setup, InputStream stdin, Function<String, String> env) {
        return List.of(new CreateUser(setup, stdin, env), new CreateEmployee(setup), ImportCsv.users(setup),
                ImportCsv.employees(setup), new SetUserRoles(setup));
    }

    static final class CreateUser extends ReportingCommand {
        /** More than any password we accept, so an over-long one is refused rather than cut. */
        private static final int MAX_STDIN_BYTES = 8 * 1024;

        private final InputStream stdin;
        private final Function<String, String> env;

        CreateUser(CommandSetup setup, InputStream stdin, Function<String, String> env) {
            super("create-user", "Creates a user; the password comes from stdin (--password-stdin) or "
                    + PASSWORD_VARIABLE + ", never from an argument", setup);
            this.stdin = stdin;
            this.env = env;
        }

        @Override
        protected void addArguments(Subparser subparser) {
            subparser.addArgument("--username").required(true).help("1-150 letters, digits and @ . + - _");
            subparser.addArgument("--email").required(true);
            subparser.addArgument("--first-name").dest("first_name").required(true);
            subparser.addArgument("--last-name").dest("last_name").required(true);
            subparser.addArgument("--roles").help("comma-separated roles, e.g. admin,agent");
            subparser.addArgument("--password-stdin").dest("password_stdin").action(Arguments.storeTrue())
                    .help("read the password from stdin (one trailing newline is dropped); otherwise "
                            + PASSWORD_VARIABLE + " is used if set, else the user has no password");
        }

        @Override
        protected Report run(Namespace namespace, CommandContext context) throws IOException {
            final NewUser user = NewUser.of(namespace.getString("username"), namespace.getString("email"),
                    namespace.getString("first_name"), namespace.getString("last_name"),
                    Roles.parse(namespace.getString("roles"), ',', ""));
            final String password = Boolean.TRUE.equals(namespace.getBoolean("password_stdin"))
                    ? readPassword() : env.apply(PASSWORD_VARIABLE);
            return context.graph().directoryReports()
                    .userCreated(context.graph().users().create(user, password, Actor.command()));
        }

        private String readPassword() throws IOException {
            final byte[] bytes = stdin.readNBytes(MAX_STDIN_BYTES + 1);
            if (bytes.length > MAX_STDIN_BYTES) {
                throw new InvalidInputException("--password-stdin: the password on stdin is too long");
            }
            String password = new String(bytes, StandardCharsets.UTF_8);
            if (password.endsWith("\n")) {
                password = password.substring(0, password.length() - 1);
                if (password.endsWith("\r")) {
                    password = password.substring(0, password.length() - 1);
                }
            }
            if (password.isEmpty()) {
                throw new InvalidInputException("--password-stdin: no password on stdin");
            }
            return password;
        }
    }

    static final class SetUserRoles extends ReportingCommand {
        SetUserRoles(CommandSetup setup) {
            super("set-user-roles", "Replaces a user's roles (e.g. admin,security); an empty --roles removes them all", setup);
        }

        @Override
        protected void addArguments(Subparser subparser) {
            final MutuallyExclusiveGroup user = subparser.addMutuallyExclusiveGroup("the user").required(true);
            user.addArgument("--id").help("the user's id");
            user.addArgument("--username").help("the user's username");
            subparser.addArgument("--roles").required(true).help("comma-separated roles, e.g. admin,security; '' for none");
        }

        @Override
        protected Report run(Namespace namespace, CommandContext context) {
            return context.graph().directoryReports()
                    .userRolesSet(context.graph().users().setRoles(
                    UserRef.of(namespace.getString("id"), namespace.getString("username")),
                    Roles.parse(namespace.getString("roles"), ',', ""), Actor.command()));
        }
    }

    static final class CreateEmployee extends ReportingCommand {
        CreateEmployee(CommandSetup setup) {
            super("create-employee", "Creates an employee record, optionally linked to a user", setup);
        }

        @Override
        protected void addArguments(Subparser subparser) {
            subparser.addArgument("--employee-number").dest("employee_number").required(true);
            subparser.addArgument("--first-name").dest("first_name").required(true);
            subparser.addArgument("--last-name").dest("last_name").required(true);
            subparser.addArgument("--email").required(true);
            subparser.addArgument("--department").required(true);
            subparser.addArgument("--job-title").dest("job_title").required(true);
            final MutuallyExclusiveGroup link = subparser.addMutuallyExclusiveGroup("link to a user");
            link.addArgument("--user-id").dest("user_id").help("the id of the user this employee signs in as");
            link.addArgument("--username").help("the username of the user this employee signs in as");
        }

        @Override
        protected Report run(Namespace namespace, CommandContext context) {
            final NewEmployee employee = new NewEmployee(0, namespace.getString("employee_number"),
                    namespace.getString("first_name"), namespace.getString("last_name"), namespace.getString("email"),
                    namespace.getString("department"), namespace.getString("job_title"), true,
                    DirectoryCsv.id(namespace.getString("user_id"), "user-id", ""), namespace.getString("username"));
            return context.graph().directoryReports()
                    .employeeCreated(context.graph().employees().create(employee, Actor.command()));
        }
    }

    /** {@code import-users} and {@code import-employees}: every row of {@code --csv} checked, then imported at once. */
    static final class ImportCsv<T> extends ReportingCommand {
        private final Function<Reader, List<T>> parse;
        private final BiFunction<CommandContext, List<T>, Report> importRows;

        private ImportCsv(String name, String description, CommandSetup setup, Function<Reader, List<T>> parse,
                          BiFunction<CommandContext, List<T>, Report> importRows) {
            super(name, description, setup);
            this.parse = parse;
            this.importRows = importRows;
        }

        static ImportCsv<NewUser> users(CommandSetup setup) {
            return new ImportCsv<>("import-users", "Imports users from a CSV export of the Django service "
                    + "(username,email,first_name,last_name,is_active,date_joined[,roles separated by ';']); "
                    + "imported users have no password", setup, DirectoryCsv::users,
                    (context, rows) -> context.graph().directoryReports()
                            .usersImported(context.graph().users().importUsers(rows, Actor.command())));
        }

        static ImportCsv<NewEmployee> employees(CommandSetup setup) {
            return new ImportCsv<>("import-employees", "Imports employees from a CSV export of the Django service "
                    + "(employee_number,first_name,last_name,email,department,job_title,is_active[,user_id|username])",
                    setup, DirectoryCsv::employees,
                    (context, rows) -> context.graph().directoryReports()
                            .employeesImported(context.graph().employees().importEmployees(rows, Actor.command())));
        }

        @Override
        protected void addArguments(Subparser subparser) {
            addCsv(subparser);
        }

        @Override
        protected Report run(Namespace namespace, CommandContext context) throws IOException {
            return importRows.apply(context, readCsv(namespace, parse));
        }
    }
}
