package io.authservice;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.dropwizard.configuration.EnvironmentVariableSubstitutor;
import io.dropwizard.configuration.FileConfigurationSourceProvider;
import io.dropwizard.configuration.SubstitutingSourceProvider;
import io.dropwizard.configuration.YamlConfigurationFactory;
import io.dropwizard.core.server.DefaultServerFactory;
import io.dropwizard.jackson.Jackson;
import io.dropwizard.jetty.HttpConnectorFactory;
import io.dropwizard.jersey.validation.Validators;
import io.authservice.observability.AccessTextLayoutFactory;
import io.authservice.observability.RequestIds;
import io.authservice.observability.TextLayoutFactory;
import io.authservice.observability.testing.ShippedConfigs;
import io.dropwizard.logging.common.ConsoleAppenderFactory;
import io.dropwizard.logging.common.DefaultLoggingFactory;
import io.dropwizard.logging.json.AccessJsonLayoutBaseFactory;
import io.dropwizard.logging.json.EventJsonLayoutBaseFactory;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Pins the defaults of the shipped config.yml: what a fresh checkout runs with. */
class AuthServiceConfigurationTest {
    private final ObjectMapper mapper = Jackson.newObjectMapper();

    private AuthServiceConfiguration shipped() throws Exception {
        final YamlConfigurationFactory<AuthServiceConfiguration> factory = new YamlConfigurationFactory<>(
                AuthServiceConfiguration.class, Validators.newValidator(), mapper, "shipped-config-test");
        final Path file = Path.of("..", "config.yml");
        // no AUTH_* variables are set in the build, so every ${VAR:-default} takes its default; the
        // property prefix is unique so other tests' dw.* overrides cannot leak in
        return factory.build(new SubstitutingSourceProvider(new FileConfigurationSourceProvider(),
                new EnvironmentVariableSubstitutor(false)), file.toString());
    }

    @Test
    void theEmbeddedDefaultNeedsNoOutsideServer() throws Exception {
        final AuthServiceConfiguration config = shipped();
        assertThat(config.getDatabase().getDriverClass()).isEqualTo("org.h2.Driver");
        assertThat(config.getDatabase().getUrl()).startsWith("jdbc:h2:file:./data/").contains("AUTO_SERVER=TRUE")
                // every commit written to the file at once, so a killed process keeps it (issue 9)
                .contains(";WRITE_DELAY=0");
        assertThat(config.isMigrateOnStart()).isTrue();
        assertThat(config.getAdminAccess().getToken()).isNull();
        assertThat(config.getAdminAccess().getTokenFile()).isEqualTo(Path.of("./data/admin-token"));
    }

    @Test
    void keysAreFortyHexWithNoLongestLifetimeAndAFourteenDayWarning() throws Exception {
        final io.authservice.config.ApiKeyConfig keys = shipped().getApiKeys();
        final io.authservice.config.ApiKeyConfig defaults = new io.authservice.config.ApiKeyConfig();
        assertThat(keys.getMaxLifetime()).isNull();
        assertThat(defaults.getMaxLifetime()).isNull();
        assertThat(keys.getExpiryWarning()).isEqualTo(io.dropwizard.util.Duration.days(14)).isEqualTo(defaults.getExpiryWarning());
        assertThat(defaults.getExpiryWarningCheckInterval()).isEqualTo(io.dropwizard.util.Duration.hours(1))
                .isEqualTo(keys.getExpiryWarningCheckInterval());
        assertThat(keys.getFormat()).isEqualTo(io.authservice.core.ApiKeySecrets.Format.hex40).isEqualTo(defaults.getFormat());
        assertThat(keys.getPrefix()).isEqualTo("authsvc").isEqualTo(defaults.getPrefix());
    }

    @Test
    void theAuditTrailIsJournaledThenShippedIntoTheStore() throws Exception {
        final io.authservice.config.AuditConfig audit = shipped().getAudit();
        assertThat(audit.getSink()).isEqualTo(io.authservice.config.AuditConfig.Sink.direct);
        assertThat(audit.getBatchSize()).isEqualTo(2000);
        assertThat(audit.getShutdownTimeout().toJavaDuration()).isEqualTo(java.time.Duration.ofSeconds(30));
        // the class defaults are the shipped ones
        final io.authservice.config.AuditConfig defaults = new io.authservice.config.AuditConfig();
        assertThat(defaults.getSink()).isEqualTo(audit.getSink());
        assertThat(defaults.getBatchSize()).isEqualTo(audit.getBatchSize());
        assertThat(defaults.getShutdownTimeout()).isEqualTo(audit.getShutdownTimeout());
        assertThat(audit.getLinger().toJavaDuration()).isEqualTo(java.time.Duration.ofMillis(100));
        assertThat(defaults.getLinger()).isEqualTo(audit.getLinger());
        assertThat(audit.getFailureMode()).isEqualTo(io.authservice.config.AuditConfig.FailureMode.serve)
                .isEqualTo(defaults.getFailureMode());
        assertThat(audit.getRetentionDays()).isEqualTo(365).isEqualTo(defaults.getRetentionDays());
        assertThat(audit.getRetentionCheckInterval()).isEqualTo(defaults.getRetentionCheckInterval());
        assertThat(audit.getFingerprintSecret()).isNull();
        assertThat(audit.getFingerprintSecretFile()).isEqualTo(Path.of("./data/audit-fingerprint-secret"))
                .isEqualTo(defaults.getFingerprintSecretFile());

        final io.authservice.config.AuditJournalConfig journal = audit.getJournal();
        final io.authservice.config.AuditJournalConfig journalDefaults = new io.authservice.config.AuditJournalConfig();
        assertThat(journal.getDirectory()).isEqualTo(Path.of("./data/audit-journal")).isEqualTo(journalDefaults.getDirectory());
        assertThat(journal.getSegmentSize()).isEqualTo(io.dropwizard.util.DataSize.mebibytes(64))
                .isEqualTo(journalDefaults.getSegmentSize());
        assertThat(journal.getMaxSize()).isEqualTo(io.dropwizard.util.DataSize.gibibytes(1)).isEqualTo(journalDefaults.getMaxSize());
        assertThat(journal.getSyncInterval()).isEqualTo(io.dropwizard.util.Duration.seconds(1))
                .isEqualTo(journalDefaults.getSyncInterval());
        assertThat(journal.getBacklogHealthThreshold()).isEqualTo(io.dropwizard.util.Duration.seconds(30))
                .isEqualTo(journalDefaults.getBacklogHealthThreshold());

        final io.authservice.config.KafkaSinkConfig kafka = audit.getKafka();
        final io.authservice.config.KafkaSinkConfig kafkaDefaults = new io.authservice.config.KafkaSinkConfig();
        assertThat(kafka.getBootstrapServers()).isEqualTo("localhost:9092").isEqualTo(kafkaDefaults.getBootstrapServers());
        assertThat(kafka.getTopic()).isEqualTo("auth.audit-events").isEqualTo(kafkaDefaults.getTopic());
        assertThat(kafka.getMaxBlock()).isEqualTo(io.dropwizard.util.Duration.milliseconds(500)).isEqualTo(kafkaDefaults.getMaxBlock());
        assertThat(kafka.getDeliveryTimeout()).isEqualTo(kafkaDefaults.getDeliveryTimeout());
        assertThat(kafka.getRequestTimeout()).isEqualTo(kafkaDefaults.getRequestTimeout());
        assertThat(kafka.getCompression()).isEqualTo("lz4").isEqualTo(kafkaDefaults.getCompression());
        assertThat(kafka.getProducer()).isEmpty();
    }

    @Test
    void theAdminPortListensOnLoopbackOnly() throws Exception {
        final DefaultServerFactory server = (DefaultServerFactory) shipped().getServerFactory();
        final HttpConnectorFactory admin = (HttpConnectorFactory) server.getAdminConnectors().get(0);
        assertThat(admin.getBindHost()).isEqualTo("127.0.0.1");
        assertThat(((HttpConnectorFactory) server.getApplicationConnectors().get(0)).getPort()).isEqualTo(8000);
    }

    @Test
    void keyDefaultsMatchTheDesign() throws Exception {
        final var keys = shipped().getApiKeys();
        assertThat(keys.getDefaultScopes()).containsExactlyInAnyOrder("users:read", "employees:read", "users-info:read");
        assertThat(keys.getRevocationPollInterval().toJavaDuration()).isLessThanOrEqualTo(java.time.Duration.ofSeconds(2));
        assertThat(keys.getCache().getRefreshAfterWrite().toJavaDuration())
                .isLessThan(keys.getCache().getExpireAfterWrite().toJavaDuration());
        assertThat(keys.getCache().getNegativeExpireAfterWrite().toJavaDuration())
                .isLessThan(keys.getCache().getExpireAfterWrite().toJavaDuration());
        assertThat(keys.getLastUsedFlushInterval().toJavaDuration()).isEqualTo(java.time.Duration.ofMinutes(1));
        // one instance enforces each key's whole rate limit unless told how many share it
        assertThat(keys.getInstances()).isEqualTo(1).isEqualTo(new io.authservice.config.ApiKeyConfig().getInstances());
        assertThat(shipped().getClientAddress().getTrustedProxies()).isEmpty();
    }

    @Test
    void theDirectoryIsCachedByDefaultWithTheKeyCachesSettingsAndBounded() throws Exception {
        final var directory = shipped().getDirectory();
        assertThat(directory.isCached()).isTrue();
        assertThat(new io.authservice.config.DirectoryConfig().isCached()).isTrue();
        assertThat(directory.getCache().getMaximumSize()).isEqualTo(100_000);
        assertThat(directory.getCache().getRefreshAfterWrite().toJavaDuration()).isEqualTo(java.time.Duration.ofMinutes(1));
        assertThat(directory.getCache().getExpireAfterWrite().toJavaDuration()).isEqualTo(java.time.Duration.ofMinutes(10));
        assertThat(directory.getCache().getNegativeExpireAfterWrite().toJavaDuration())
                .isEqualTo(java.time.Duration.ofSeconds(30));
    }

    @Test
    void signInLimitsAreTheClassDefaults() throws Exception {
        final AuthServiceConfiguration shipped = shipped();
        final var login = shipped.getJwt().getLoginThrottle();
        final var loginDefaults = new io.authservice.config.JwtConfig.LoginThrottleConfig();
        assertThat(login.getMaxFailuresPerAccountAndAddress()).isEqualTo(5).isEqualTo(loginDefaults.getMaxFailuresPerAccountAndAddress());
        assertThat(login.getMaxFailuresPerAccount()).isEqualTo(100).isEqualTo(loginDefaults.getMaxFailuresPerAccount());
        assertThat(login.getMaxFailuresPerAddress()).isEqualTo(20).isEqualTo(loginDefaults.getMaxFailuresPerAddress());
        assertThat(login.getWindow()).isEqualTo(loginDefaults.getWindow());
        final var hashing = shipped.getJwt().getPasswordHashing();
        final var hashingDefaults = new io.authservice.config.JwtConfig.PasswordHashingConfig();
        assertThat(hashing.getMaxConcurrent()).isEqualTo(hashingDefaults.getMaxConcurrent());
        assertThat(hashing.getMaxWait().toJavaDuration()).isEqualTo(hashingDefaults.getMaxWait().toJavaDuration());
        assertThat(shipped.getJwt().getCookies().getAllowedOrigins()).isEmpty();
        assertThat(shipped.getClientAddress().getIpv6ThrottlePrefix()).isEqualTo(64)
                .isEqualTo(new io.authservice.config.ClientAddressConfig().getIpv6ThrottlePrefix());
    }

    /** A PEM pasted from a file keeps its line breaks; the substituted text must still be valid YAML and a valid key. */
    @Test
    void aMultiLinePemInTheEnvironmentIsTheSigningKey() throws Exception {
        final var key = io.authservice.auth.JwtKeys.generate(new java.security.SecureRandom());
        final String pem = io.authservice.auth.JwtKeys.toPem(key);
        assertThat(pem.strip().lines()).hasSizeGreaterThan(2);
        final AuthServiceConfiguration config = ShippedConfigs.load(AuthServiceConfiguration.class, Path.of("..", "config.yml"),
                Map.of("AUTH_JWT_SIGNING_KEY", pem));
        final String configured = config.getJwt().getSigningKey().getPem();
        assertThat(io.authservice.auth.JwtKeys.parse(configured, "AUTH_JWT_SIGNING_KEY").computeThumbprint())
                .isEqualTo(key.computeThumbprint());
    }

    @Test
    void authLogFormatSwitchesTheLogAndTheRequestLogBetweenTextAndJson() throws Exception {
        final Path file = Path.of("..", "config.yml");
        for (Map<String, String> environment : List.of(Map.<String, String>of(), Map.of("AUTH_LOG_FORMAT", "text"))) {
            final AuthServiceConfiguration text = ShippedConfigs.load(AuthServiceConfiguration.class, file, environment);
            assertThat(ShippedConfigs.logLayouts(text)).singleElement().isInstanceOf(TextLayoutFactory.class);
            assertThat(ShippedConfigs.requestLogLayouts(text)).singleElement().isInstanceOfSatisfying(AccessTextLayoutFactory.class,
                    layout -> assertThat(layout.getResponseHeaders()).containsExactly(RequestIds.HEADER));
        }
        final AuthServiceConfiguration json = ShippedConfigs.load(AuthServiceConfiguration.class, file, Map.of("AUTH_LOG_FORMAT", "json"));
        assertThat(ShippedConfigs.logLayouts(json)).singleElement().isInstanceOf(EventJsonLayoutBaseFactory.class);
        assertThat(ShippedConfigs.requestLogLayouts(json)).singleElement().isInstanceOfSatisfying(AccessJsonLayoutBaseFactory.class,
                layout -> assertThat(layout.getResponseHeaders()).containsExactly(RequestIds.HEADER));
        // in either format the log keeps every line and goes to stderr
        final ConsoleAppenderFactory<?> console = (ConsoleAppenderFactory<?>)
                ((DefaultLoggingFactory) json.getLoggingFactory()).getAppenders().get(0);
        assertThat(console.getDiscardingThreshold()).isZero();
        assertThat(console.getTarget()).isEqualTo(ConsoleAppenderFactory.ConsoleStream.STDERR);
    }
}
