package io.authservice.auditconsumer;

import io.dropwizard.configuration.ConfigurationValidationException;
import io.dropwizard.configuration.EnvironmentVariableSubstitutor;
import io.dropwizard.configuration.FileConfigurationSourceProvider;
import io.dropwizard.configuration.SubstitutingSourceProvider;
import io.dropwizard.configuration.YamlConfigurationFactory;
import io.dropwizard.jackson.Jackson;
import io.dropwizard.jersey.validation.Validators;
import io.dropwizard.util.DataSize;
import io.dropwizard.util.Duration;
import io.authservice.observability.AccessTextLayoutFactory;
import io.authservice.observability.TextLayoutFactory;
import io.authservice.observability.testing.ShippedConfigs;
import io.dropwizard.logging.json.AccessJsonLayoutBaseFactory;
import io.dropwizard.logging.json.EventJsonLayoutBaseFactory;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Pins the defaults of the shipped audit-consumer/config.yml and of the config classes. */
class AuditConsumerConfigurationTest {
    @Test
    void theShippedConfigReadsTheEmbeddedDefaultStoreAndTheServicesTopic() throws Exception {
        final AuditConsumerConfiguration config = new YamlConfigurationFactory<>(AuditConsumerConfiguration.class,
                Validators.newValidator(), Jackson.newObjectMapper(), "audit-consumer-config-test")
                .build(new SubstitutingSourceProvider(new FileConfigurationSourceProvider(),
                        new EnvironmentVariableSubstitutor(false)), Path.of("config.yml").toString());
        assertThat(config.getDatabase().getUrl()).isEqualTo("jdbc:h2:file:./data/auth;AUTO_SERVER=TRUE;MODE=PostgreSQL;WRITE_DELAY=0");
        assertThat(config.isMigrateOnStart()).isTrue();
        final AuditConsumerConfiguration classDefaults = new AuditConsumerConfiguration();
        assertThat(config.getRetentionDays()).isEqualTo(365).isEqualTo(classDefaults.getRetentionDays());
        assertThat(config.getRetentionCheckInterval()).isEqualTo(classDefaults.getRetentionCheckInterval());
        final ConsumerKafkaConfig kafka = config.getKafka();
        final ConsumerKafkaConfig defaults = new ConsumerKafkaConfig();
        assertThat(kafka.getBootstrapServers()).isEqualTo("localhost:9092").isEqualTo(defaults.getBootstrapServers());
        assertThat(kafka.getTopic()).isEqualTo("auth.audit-events").isEqualTo(defaults.getTopic());
        assertThat(kafka.getGroupId()).isEqualTo("auth-audit-consumer").isEqualTo(defaults.getGroupId());
        assertThat(kafka.getConsumers()).isEqualTo(1).isEqualTo(defaults.getConsumers());
        assertThat(kafka.getMaxPollRecords()).isEqualTo(1000).isEqualTo(defaults.getMaxPollRecords());
        assertThat(kafka.getFetchMinBytes()).isEqualTo(DataSize.kibibytes(64)).isEqualTo(defaults.getFetchMinBytes());
        assertThat(kafka.getFetchMaxWait()).isEqualTo(Duration.milliseconds(100)).isEqualTo(defaults.getFetchMaxWait());
        assertThat(kafka.getPollTimeout()).isEqualTo(defaults.getPollTimeout());
        assertThat(kafka.getCloseTimeout()).isEqualTo(defaults.getCloseTimeout());
        assertThat(kafka.getHealthPollTimeout()).isEqualTo(Duration.seconds(30)).isEqualTo(defaults.getHealthPollTimeout());
        assertThat(kafka.getRestartBackoff()).isEqualTo(Duration.seconds(1)).isEqualTo(defaults.getRestartBackoff());
        assertThat(kafka.getMaxRestartBackoff()).isEqualTo(Duration.minutes(1)).isEqualTo(defaults.getMaxRestartBackoff());
        assertThat(AuditConsumers.consumerProperties(kafka, "c")).containsEntry("enable.auto.commit", false)
                .containsEntry("auto.offset.reset", "earliest").containsEntry("group.id", "auth-audit-consumer")
                .containsEntry("max.poll.records", 1000).containsEntry("fetch.min.bytes", 65536)
                .containsEntry("fetch.max.wait.ms", 100);
    }

    @Test
    void aMaximumRestartBackoffShorterThanTheFirstIsRefused() throws Exception {
        final Path file = Files.createTempFile("consumer-config", ".yml");
        Files.writeString(file, "kafka:\n  restartBackoff: 10s\n  maxRestartBackoff: 5s\n");
        assertThatThrownBy(() -> new YamlConfigurationFactory<>(AuditConsumerConfiguration.class, Validators.newValidator(),
                Jackson.newObjectMapper(), "dw").build(new FileConfigurationSourceProvider(), file.toString()))
                .isInstanceOf(ConfigurationValidationException.class)
                .hasMessageContaining("maxRestartBackoff must not be shorter than restartBackoff");
    }

    @Test
    void auditLogFormatSwitchesTheLogAndTheRequestLogBetweenTextAndJson() throws Exception {
        final Path file = Path.of("config.yml");
        final AuditConsumerConfiguration text = ShippedConfigs.load(AuditConsumerConfiguration.class, file, Map.of());
        assertThat(ShippedConfigs.logLayouts(text)).singleElement().isInstanceOf(TextLayoutFactory.class);
        assertThat(ShippedConfigs.requestLogLayouts(text)).singleElement().isInstanceOf(AccessTextLayoutFactory.class);
        final AuditConsumerConfiguration json = ShippedConfigs.load(AuditConsumerConfiguration.class, file, Map.of("AUDIT_LOG_FORMAT", "json"));
        assertThat(ShippedConfigs.logLayouts(json)).singleElement().isInstanceOf(EventJsonLayoutBaseFactory.class);
        assertThat(ShippedConfigs.requestLogLayouts(json)).singleElement().isInstanceOf(AccessJsonLayoutBaseFactory.class);
    }
}
