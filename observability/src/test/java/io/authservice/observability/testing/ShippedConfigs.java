package io.authservice.observability.testing;

import ch.qos.logback.classic.LoggerContext;
import io.dropwizard.configuration.EnvironmentVariableSubstitutor;
import io.dropwizard.configuration.FileConfigurationSourceProvider;
import io.dropwizard.configuration.SubstitutingSourceProvider;
import io.dropwizard.configuration.YamlConfigurationFactory;
import io.dropwizard.core.Configuration;
import io.dropwizard.core.server.DefaultServerFactory;
import io.dropwizard.jackson.Jackson;
import io.dropwizard.jersey.validation.Validators;
import io.dropwizard.logging.common.AbstractAppenderFactory;
import io.dropwizard.logging.common.AppenderFactory;
import io.dropwizard.logging.common.DefaultLoggingFactory;
import io.dropwizard.logging.common.layout.DiscoverableLayoutFactory;
import io.dropwizard.request.logging.LogbackAccessRequestLogFactory;
import org.apache.commons.text.lookup.StringLookupFactory;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TimeZone;

/**
 * Reads an application's shipped config file as the application does ({@code ${VAR:-default}}
 * substitution), with the environment given instead of the process's, so a test can try each
 * value of a variable.
 */
public final class ShippedConfigs {
    private ShippedConfigs() {
    }

    public static <C extends Configuration> C load(Class<C> type, Path file, Map<String, String> environment) throws Exception {
        final EnvironmentVariableSubstitutor substitutor = new EnvironmentVariableSubstitutor(false);
        substitutor.setVariableResolver(StringLookupFactory.INSTANCE.mapStringLookup(environment));
        // a property prefix of its own, so that other tests' dw.* overrides cannot leak in
        return new YamlConfigurationFactory<>(type, Validators.newValidator(), Jackson.newObjectMapper(), "shipped-" + type.getSimpleName())
                .build(new SubstitutingSourceProvider(new FileConfigurationSourceProvider(), substitutor), file.toString());
    }

    /** The layout factories of the config's log appenders, each checked to build a layout. */
    public static List<DiscoverableLayoutFactory<?>> logLayouts(Configuration config) {
        return built(((DefaultLoggingFactory) config.getLoggingFactory()).getAppenders());
    }

    /** The layout factories of the config's request log appenders, each checked to build a layout. */
    public static List<DiscoverableLayoutFactory<?>> requestLogLayouts(Configuration config) {
        return built(((LogbackAccessRequestLogFactory) ((DefaultServerFactory) config.getServerFactory())
                .getRequestLogFactory()).getAppenders());
    }

    private static List<DiscoverableLayoutFactory<?>> built(List<? extends AppenderFactory<?>> appenders) {
        return appenders.stream().<DiscoverableLayoutFactory<?>>map(appender -> {
            final DiscoverableLayoutFactory<?> layout = ((AbstractAppenderFactory<?>) appender).getLayout();
            if (layout == null || layout.build(new LoggerContext(), TimeZone.getTimeZone("UTC")) == null) {
                throw new IllegalStateException("an appender without a layout that builds: " + appender);
            }
            return layout;
        }).toList();
    }
}
