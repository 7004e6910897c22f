package io.authservice;

import io.authservice.testing.AdminClient;
import io.authservice.testing.CommandRunner;
import io.authservice.testing.Http;
import io.authservice.testing.TestApps;
import io.authservice.testing.TestAuthServiceApplication;
import io.authservice.testing.TestDatabases;
import io.dropwizard.configuration.ConfigurationFactory;
import io.dropwizard.core.server.DefaultServerFactory;
import io.dropwizard.core.setup.Bootstrap;
import io.dropwizard.jetty.HttpConnectorFactory;
import io.dropwizard.testing.junit5.DropwizardAppExtension;
import io.dropwizard.testing.junit5.DropwizardExtensionsSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Dropwizard's {@code -Ddw.} overrides work on the service's configuration (numbers, booleans and
 * durations arrive as strings), read by the application's own configuration factory and by its
 * command line; request bodies stay strict: a string where a number belongs is still a 400.
 */
@ExtendWith(DropwizardExtensionsSupport.class)
class ConfigurationOverridesIntegrationTest {
    private static final String SHIPPED = "../config.yml";
    private static final Map<String, String> OVERRIDES = Map.of(
            "dw.server.applicationConnectors[0].port", "9000",
            "dw.migrateOnStart", "false",
            "dw.apiKeys.revocationPollInterval", "250ms");

    private static final java.nio.file.Path DIR = TestApps.tempDir();
    private static final String CONFIG = TestApps.writeConfig(TestDatabases.newH2(DIR), DIR);
    private static final DropwizardAppExtension<AuthServiceConfiguration> APP =
            new DropwizardAppExtension<>(TestAuthServiceApplication.class, CONFIG);

    @Test
    void numericBooleanAndDurationOverridesReachTheConfiguration() throws Exception {
        final Bootstrap<AuthServiceConfiguration> bootstrap = new Bootstrap<>(new AuthServiceApplication());
        bootstrap.getApplication().initialize(bootstrap);
        final ConfigurationFactory<AuthServiceConfiguration> factory = bootstrap.getConfigurationFactoryFactory()
                .create(AuthServiceConfiguration.class, bootstrap.getValidatorFactory().getValidator(),
                        bootstrap.getObjectMapper(), "dw");

        final AuthServiceConfiguration config = withOverrides(() ->
                factory.build(bootstrap.getConfigurationSourceProvider(), SHIPPED));

        final DefaultServerFactory server = (DefaultServerFactory) config.getServerFactory();
        assertThat(((HttpConnectorFactory) server.getApplicationConnectors().get(0)).getPort()).isEqualTo(9000);
        assertThat(config.isMigrateOnStart()).isFalse();
        assertThat(config.getApiKeys().getRevocationPollInterval().toJavaDuration()).isEqualTo(Duration.ofMillis(250));
    }

    @Test
    void theJarsCommandsTakeTheOverrides() throws Exception {
        final CommandRunner.Result listed = withOverrides(() -> CommandRunner.run("list-api-keys", "--json", CONFIG));

        assertThat(listed.succeeded()).as(listed.stderr()).isTrue();
        assertThat(listed.stdout()).startsWith("{\"api_keys\":");
    }

    @Test
    void aRequestBodyWithAStringForANumberIsStillRefused() {
        final String key = new AdminClient(APP.client(), APP.getAdminPort())
                .json("create-api-key", Map.of("name", "strict-bodies")).get("key").asText();

        final Http.Answer refused = new Http(APP.getLocalPort())
                .post("/api/v1/tts/users-info/", "{\"user_ids\": [\"7\"]}", "X-API-Key", key);

        assertThat(refused.status()).isIn(400, 422);
        assertThat(refused.header("Content-Type")).startsWith("application/json");
        assertThat(refused.json().get("code").asInt()).isEqualTo(refused.status());
    }

    /** Runs {@code action} with {@link #OVERRIDES} as system properties, removed again whatever happens. */
    private static <T> T withOverrides(java.util.concurrent.Callable<T> action) throws Exception {
        OVERRIDES.forEach(System::setProperty);
        try {
            return action.call();
        } finally {
            OVERRIDES.keySet().forEach(System::clearProperty);
        }
    }
}
