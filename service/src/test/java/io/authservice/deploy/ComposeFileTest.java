package io.authservice.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.yaml.snakeyaml.Yaml;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * docker-compose.yml, the Dockerfiles and .env.example, read against what the applications read. No
 * Docker engine runs where the tests run, and a misspelt variable in a compose file is silently ignored
 * by the container, so these files are checked here: every variable the stack sets is one its
 * config.yml reads, every port and path agrees with the config's defaults, and every secret the
 * compose file requires is in the example env file. The compose file is loaded with SnakeYAML (what
 * Dropwizard's YAML parsing runs on), which resolves anchors and merge keys as Compose does.
 */
class ComposeFileTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path ROOT = repositoryRoot();
    private static final JsonNode COMPOSE = loadYaml(ROOT.resolve("docker-compose.yml"));

    @Test
    void everyVariableSetForTheServiceImageIsOneConfigYmlReads() {
        final Set<String> read = variablesRead(read(ROOT.resolve("config.yml")));
        final List<String> services = servicesBuiltFrom("service/Dockerfile");
        assertThat(services).containsExactlyInAnyOrder("migrate", "auth-service");
        for (String service : services) {
            assertThat(environment(service)).as(service).isNotEmpty().isSubsetOf(read);
        }
    }

    @Test
    void everyVariableSetForTheConsumerIsOneItsConfigYmlReads() {
        final Set<String> read = variablesRead(read(ROOT.resolve("audit-consumer/config.yml")));
        assertThat(servicesBuiltFrom("audit-consumer/Dockerfile")).containsExactly("audit-consumer");
        assertThat(environment("audit-consumer")).isNotEmpty().isSubsetOf(read);
    }

    @Test
    void migrationsRunOnceBeforeEitherApplicationStarts() {
        assertThat(COMPOSE.at("/services/migrate/command").toString()).isEqualTo("[\"db\",\"migrate\",\"/app/config.yml\"]");
        for (String service : List.of("auth-service", "audit-consumer")) {
            assertThat(COMPOSE.at("/services/" + service + "/depends_on/migrate/condition").asText())
                    .as(service).isEqualTo("service_completed_successfully");
        }
        assertThat(COMPOSE.at("/services/auth-service/environment/AUTH_MIGRATE_ON_START").asText()).isEqualTo("false");
        assertThat(COMPOSE.at("/services/audit-consumer/environment/AUDIT_MIGRATE_ON_START").asText()).isEqualTo("false");
    }

    /** One application: its image, its config and how the compose file runs it. */
    record App(String composeService, String dockerfile, String config, String portVariable,
               String adminPortVariable, String adminBindHostVariable, boolean publishesApiPort) {
        @Override
        public String toString() {
            return composeService;
        }
    }

    static List<App> apps() {
        return List.of(
                new App("auth-service", "service/Dockerfile", "config.yml", "AUTH_PORT", "AUTH_ADMIN_PORT",
                        "AUTH_ADMIN_BIND_HOST", true),
                new App("audit-consumer", "audit-consumer/Dockerfile", "audit-consumer/config.yml", "AUDIT_CONSUMER_PORT",
                        "AUDIT_CONSUMER_ADMIN_PORT", "AUDIT_CONSUMER_ADMIN_BIND_HOST", false));
    }

    /**
     * The image copies the application's config to /app/config.yml, runs it and exposes its default
     * ports; the compose file publishes the admin port on loopback only (the API port on every
     * interface, where there is one), lets it listen beyond the container's loopback, and checks its health.
     */
    @ParameterizedTest
    @MethodSource("apps")
    void theImageRunsItsConfigOnTheConfiguredPorts(App app) {
        final String config = read(ROOT.resolve(app.config()));
        final String port = defaultOf(config, app.portVariable());
        final String adminPort = defaultOf(config, app.adminPortVariable());

        final List<String> image = instructions(read(ROOT.resolve(app.dockerfile())));
        assertThat(image).contains("COPY " + app.config() + " /app/config.yml", "EXPOSE " + port + " " + adminPort,
                "CMD [\"server\", \"/app/config.yml\"]", "USER 10001:10001");
        assertThat(image).filteredOn(line -> line.startsWith("HEALTHCHECK"))
                .singleElement().asString().contains(":-" + adminPort + "}/healthcheck");

        final JsonNode service = COMPOSE.at("/services/" + app.composeService());
        final List<String> published = new ArrayList<>();
        service.get("ports").forEach(p -> published.add(p.asText()));
        final List<String> expected = new ArrayList<>(List.of("127.0.0.1:" + adminPort + ":" + adminPort));
        if (app.publishesApiPort()) {
            expected.add(port + ":" + port);
        }
        assertThat(published).containsExactlyInAnyOrderElementsOf(expected);
        assertThat(service.at("/environment/" + app.adminBindHostVariable()).asText()).isEqualTo("0.0.0.0");
        assertThat(service.at("/healthcheck/test").toString()).contains("http://127.0.0.1:" + adminPort + "/healthcheck");
    }

    /** The build stage copies every module the parent pom lists: a new module must not break the images. */
    @ParameterizedTest
    @MethodSource("apps")
    void theImageBuildsFromEveryModuleOfTheReactor(App app) {
        final Set<String> modules = matches(Pattern.compile("<module>([^<]+)</module>"), read(ROOT.resolve("pom.xml")));
        assertThat(modules).contains("audit", "service", "audit-consumer");
        final List<String> image = instructions(read(ROOT.resolve(app.dockerfile())));
        for (String module : modules) {
            assertThat(image).as(app.dockerfile()).contains("COPY " + module + "/ " + module + "/");
        }
    }

    @Test
    void everyRequiredSecretIsInTheExampleEnvFileAndTheRealOneIsNeverCommitted() {
        final Set<String> required = matches(Pattern.compile("\\$\\{([A-Z0-9_]+):\\?"), read(ROOT.resolve("docker-compose.yml")));
        assertThat(required).contains("AUTH_DB_PASSWORD", "AUTH_ADMIN_TOKEN", "AUTH_JWT_SIGNING_KEY",
                "AUTH_AUDIT_FINGERPRINT_SECRET");
        final Set<String> listed = matches(Pattern.compile("(?m)^([A-Z0-9_]+)="), read(ROOT.resolve(".env.example")));
        assertThat(listed).containsAll(required);
        assertThat(read(ROOT.resolve(".gitignore")).lines()).contains(".env");
        assertThat(read(ROOT.resolve(".dockerignore")).lines()).contains(".env");
    }

    /**
     * The compose file's own variables (what it reads from .env, required or with a default) and
     * .env.example's names, commented-out optional ones included, are the same set: a misspelt
     * optional variable would otherwise fall back to its default without a word.
     */
    @Test
    void theExampleEnvFileNamesExactlyTheVariablesTheComposeFileReads() {
        final String compose = read(ROOT.resolve("docker-compose.yml")).lines()
                .map(line -> line.replaceFirst("^\\s*#.*", "")).collect(Collectors.joining("\n"));
        final Set<String> interpolated = matches(Pattern.compile("\\$\\{([A-Z0-9_]+)"), compose);
        final Set<String> named = matches(Pattern.compile("(?m)^#?\\s*([A-Z0-9_]+)="), read(ROOT.resolve(".env.example")));
        assertThat(named).containsExactlyInAnyOrderElementsOf(interpolated);
    }

    /** The audit journal holds events not yet in Kafka: it must be on the volume, or a new container forgets them. */
    @Test
    void theAuditJournalIsOnTheServicesVolume() {
        final String config = read(ROOT.resolve("config.yml"));
        assertThat(defaultOf(config, "AUTH_AUDIT_JOURNAL_DIR")).isEqualTo("./data/audit-journal");
        assertThat(instructions(read(ROOT.resolve("service/Dockerfile")))).contains("WORKDIR /app", "VOLUME /app/data");
        final List<String> volumes = new ArrayList<>();
        COMPOSE.at("/services/auth-service/volumes").forEach(v -> volumes.add(v.asText()));
        assertThat(volumes).anyMatch(v -> v.endsWith(":/app/data"));
        assertThat(COMPOSE.at("/services/auth-service/environment/AUTH_AUDIT_SINK").asText()).isEqualTo("kafka");
        assertThat(COMPOSE.at("/services/auth-service/environment").has("AUTH_AUDIT_JOURNAL_DIR"))
                .as("the journal stays at its default, on the volume").isFalse();
    }

    @Test
    void kafkaRunsTheVersionOfTheClientsInThePom() {
        final Set<String> version = matches(Pattern.compile("<kafka.version>([^<]+)</kafka.version>"), read(ROOT.resolve("pom.xml")));
        assertThat(version).hasSize(1);
        final String image = "apache/kafka:" + version.iterator().next();
        assertThat(COMPOSE.at("/services/kafka/image").asText()).isEqualTo(image);
        assertThat(COMPOSE.at("/services/kafka-topics/image").asText()).isEqualTo(image);
        assertThat(COMPOSE.at("/services/kafka/environment/KAFKA_ADVERTISED_LISTENERS").asText())
                .isEqualTo("PLAINTEXT://" + COMPOSE.at("/services/auth-service/environment/AUTH_KAFKA_BOOTSTRAP_SERVERS").asText());
    }

    private static List<String> servicesBuiltFrom(String dockerfile) {
        final List<String> names = new ArrayList<>();
        COMPOSE.get("services").fields().forEachRemaining(service -> {
            if (dockerfile.equals(service.getValue().at("/build/dockerfile").asText())) {
                names.add(service.getKey());
            }
        });
        return names;
    }

    private static Set<String> environment(String service) {
        final Set<String> names = new LinkedHashSet<>();
        COMPOSE.at("/services/" + service + "/environment").fieldNames().forEachRemaining(names::add);
        return names;
    }

    /** Every {@code ${NAME} / ${NAME:-default}} a config file reads, outside comments. */
    private static Set<String> variablesRead(String config) {
        final String code = config.lines().map(line -> line.replaceFirst("^\\s*#.*", "")).collect(Collectors.joining("\n"));
        return matches(Pattern.compile("\\$\\{([A-Z0-9_]+)"), code);
    }

    private static String defaultOf(String config, String variable) {
        final Set<String> defaults = matches(Pattern.compile("\\$\\{" + variable + ":-([^}]+)}"), config);
        assertThat(defaults).as(variable).hasSize(1);
        return defaults.iterator().next();
    }

    /** A Dockerfile's instructions, continuation lines joined and comments dropped. */
    private static List<String> instructions(String dockerfile) {
        final List<String> lines = new ArrayList<>();
        final StringBuilder current = new StringBuilder();
        for (String line : dockerfile.lines().toList()) {
            if (line.isBlank() || line.stripLeading().startsWith("#")) {
                continue;
            }
            if (line.endsWith("\\")) {
                current.append(line, 0, line.length() - 1).append(' ');
            } else {
                lines.add(current.append(line).toString().replaceAll("\\s+", " ").strip());
                current.setLength(0);
            }
        }
        return lines;
    }

    private static Set<String> matches(Pattern pattern, String text) {
        final Set<String> found = new LinkedHashSet<>();
        final Matcher m = pattern.matcher(text);
        while (m.find()) {
            found.add(m.group(1));
        }
        return found;
    }

    private static JsonNode loadYaml(Path file) {
        return JSON.valueToTree(new Yaml().load(read(file)));
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The repository's top directory: the tests run in the module's directory. */
    private static Path repositoryRoot() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.exists(dir.resolve("docker-compose.yml")) && Files.exists(dir.resolve("mvnw"))) {
                return dir;
            }
        }
        throw new IllegalStateException("no docker-compose.yml above " + Path.of("").toAbsolutePath());
    }
}
