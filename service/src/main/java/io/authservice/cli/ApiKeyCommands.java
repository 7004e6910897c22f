package io.authservice.cli;

import io.authservice.core.Actor;
import io.authservice.core.ApiKeyChanges;
import io.authservice.core.ApiKeyService;
import io.authservice.core.KeyPolicy;
import io.authservice.core.KeyRef;
import io.authservice.core.OperatorDurations;
import io.authservice.core.Report;
import io.authservice.core.Scopes;
import net.sourceforge.argparse4j.impl.Arguments;
import net.sourceforge.argparse4j.inf.Namespace;
import net.sourceforge.argparse4j.inf.Subparser;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.BiFunction;

/** The API key commands on the service jar; each does what the admin task of the same name does. */
public final class ApiKeyCommands {
    private ApiKeyCommands() {
    }

    public static List<ReportingCommand> all(CommandSetup setup) {
        return List.of(
                new Create(setup), new ListKeys(setup), new Update(setup), OnOneKey.deactivate(setup), new Rotate(setup),
                OnOneKey.delete(setup), new ImportApiKeysCommand(setup));
    }

    static void addKeyRef(Subparser subparser) {
        subparser.addArgument("--id").help("the key's id");
        subparser.addArgument("--name").help("the key's name, where one active key has it");
    }

    static KeyRef keyRef(Namespace namespace) {
        return KeyRef.of(namespace.getString("id"), namespace.getString("name"));
    }

    /** {@code --allowed-addresses} and {@code --rate-limit}, as {@code create-api-key} takes them. */
    static void addPolicy(Subparser subparser, String forWhat) {
        subparser.addArgument("--allowed-addresses").dest("allowed_addresses")
                .help("CIDR ranges " + forWhat + ", comma-separated, e.g. 10.0.0.0/8,2001:db8::/32; default: anywhere");
        subparser.addArgument("--rate-limit").dest("rate_limit")
                .help("requests per period " + forWhat + ", e.g. 600/1m; default: no limit");
    }

    static KeyPolicy policy(Namespace namespace) {
        return KeyPolicy.parse(namespace.getString("allowed_addresses"), namespace.getString("rate_limit"));
    }

    static Set<String> scopes(Namespace namespace) {
        final String raw = namespace.getString("scopes");
        return raw == null ? new TreeSet<>() : Scopes.parse(raw);
    }

    static final class Create extends ReportingCommand {
        Create(CommandSetup setup) {
            super("create-api-key", "Creates an API key and prints it (the only time it is shown)", setup);
        }

        @Override
        protected void addArguments(Subparser subparser) {
            subparser.addArgument("--name").required(true).help("a descriptive name, e.g. TTS-Production (1-100 characters)");
            subparser.addArgument("--scopes").help("comma-separated scopes; default: every internal read scope. Known: "
                    + Scopes.KNOWN_LIST);
            subparser.addArgument("--expires-in").dest("expires_in").help("lifetime such as 90d or 24h; default: apiKeys.maxLifetime, or never"
                    + " when it is not set (a longer one is refused)");
            addPolicy(subparser, "the key may be used from");
        }

        @Override
        protected Report run(Namespace namespace, CommandContext context) {
            final String expiresIn = namespace.getString("expires_in");
            return context.graph().apiKeyReports()
                    .created(context.graph().apiKeys().create(
                    namespace.getString("name"), scopes(namespace),
                    expiresIn == null ? null : OperatorDurations.parse(expiresIn, "expires-in", false),
                    policy(namespace), Actor.command()));
        }
    }

    static final class ListKeys extends ReportingCommand {
        ListKeys(CommandSetup setup) {
            super("list-api-keys", "Lists API keys (never the keys themselves)", setup);
        }

        @Override
        protected void addArguments(Subparser subparser) {
            subparser.addArgument("--expiring").action(Arguments.storeTrue())
                    .help("only active keys expiring within apiKeys.expiryWarning (14 days as shipped)");
        }

        @Override
        protected Report run(Namespace namespace, CommandContext context) {
            final ApiKeyService keys = context.graph().apiKeys();
            return context.graph().apiKeyReports()
                    .list(namespace.getBoolean("expiring") ? keys.expiring() : keys.list());
        }
    }

    static final class Update extends ReportingCommand {
        Update(CommandSetup setup) {
            super("update-api-key", "Changes a key's name, scopes, allowed addresses or rate limit (never the key)", setup);
        }

        @Override
        protected void addArguments(Subparser subparser) {
            addKeyRef(subparser);
            subparser.addArgument("--new-name").dest("new_name").help("the key's new name");
            subparser.addArgument("--scopes").help("the key's scopes from now on, comma-separated. Known: " + Scopes.KNOWN_LIST);
            subparser.addArgument("--allowed-addresses").dest("allowed_addresses")
                    .help("CIDR ranges the key may be used from from now on, comma-separated; '' for anywhere");
            subparser.addArgument("--rate-limit").dest("rate_limit")
                    .help("requests per period from now on, e.g. 600/1m; 'none' for no limit");
        }

        @Override
        protected Report run(Namespace namespace, CommandContext context) {
            final String scopes = namespace.getString("scopes");
            return context.graph().apiKeyReports()
                    .updated(context.graph().apiKeys().update(keyRef(namespace), new ApiKeyChanges(
                            namespace.getString("new_name"), scopes == null ? null : Scopes.parse(scopes),
                            namespace.getString("allowed_addresses"), namespace.getString("rate_limit")),
                            Actor.command()));
        }
    }

    static final class Rotate extends ReportingCommand {
        Rotate(CommandSetup setup) {
            super("rotate-api-key", "Creates a successor key; the old one keeps working for the grace period", setup);
        }

        @Override
        protected void addArguments(Subparser subparser) {
            addKeyRef(subparser);
            subparser.addArgument("--grace").help("how long the old key keeps working, e.g. 24h (default: "
                    + "apiKeys.defaultRotationGrace, 24h as shipped); 0s ends it now");
        }

        @Override
        protected Report run(Namespace namespace, CommandContext context) {
            final String grace = namespace.getString("grace");
            final Duration defaultGrace = context.config().getApiKeys().getDefaultRotationGrace().toJavaDuration();
            return context.graph().apiKeyReports()
                    .rotated(context.graph().apiKeys().rotate(keyRef(namespace),
                    grace == null ? defaultGrace : OperatorDurations.parse(grace, "grace", true), Actor.command()));
        }
    }

    /** A command that names one key ({@code --id} or {@code --name}) and does one thing to it. */
    static final class OnOneKey extends ReportingCommand {
        private final BiFunction<CommandContext, KeyRef, Report> action;

        OnOneKey(String name, String description, CommandSetup setup, BiFunction<CommandContext, KeyRef, Report> action) {
            super(name, description, setup);
            this.action = action;
        }

        static OnOneKey deactivate(CommandSetup setup) {
            return new OnOneKey("deactivate-api-key", "Deactivates an API key on every instance", setup,
                    (context, key) -> context.graph().apiKeyReports()
                            .deactivated(context.graph().apiKeys().deactivate(key, Actor.command())));
        }

        static OnOneKey delete(CommandSetup setup) {
            return new OnOneKey("delete-api-key", "Deletes an API key for good", setup,
                    (context, key) -> context.graph().apiKeyReports()
                            .deleted(context.graph().apiKeys().delete(key, Actor.command())));
        }

        @Override
        protected void addArguments(Subparser subparser) {
            addKeyRef(subparser);
        }

        @Override
        protected Report run(Namespace namespace, CommandContext context) {
            return action.apply(context, keyRef(namespace));
        }
    }
}
