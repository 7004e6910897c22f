package io.authservice.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.authservice.AuthServiceConfiguration;
import io.authservice.testing.CommandRunner;
import io.authservice.testing.CommandRunner.Result;
import io.authservice.testing.TestApps;
import io.authservice.testing.TestAuthServiceApplication;
import io.authservice.testing.TestClock;
import io.authservice.testing.TestDatabases;
import io.dropwizard.testing.junit5.DropwizardAppExtension;
import io.dropwizard.testing.junit5.DropwizardExtensionsSupport;
import jakarta.ws.rs.core.Response;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The API key commands on the jar, run while the service is running on the same database: the
 * embedded default's H2 file, shared between processes.
 */
@ExtendWith(DropwizardExtensionsSupport.class)
class ApiKeyCommandsIntegrationTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path DIR = TestApps.tempDir();
    private static final String CONFIG = TestApps.writeConfig(TestDatabases.newH2(DIR), DIR);
    private static final DropwizardAppExtension<AuthServiceConfiguration> APP =
            new DropwizardAppExtension<>(TestAuthServiceApplication.class, CONFIG);

    private static String unique(String name) {
        return name + "-" + System.nanoTime();
    }

    /** The whole of stdout must be one JSON object: nothing before it, nothing after it. */
    private static JsonNode onlyJsonObject(Result result) throws Exception {
        final String out = result.stdout().strip();
        assertThat(out).startsWith("{").endsWith("}").doesNotContain("\n");
        final JsonNode node = JSON.readTree(out);
        assertThat(node.isObject()).isTrue();
        return node;
    }

    @Test
    void createPrintsExactlyOneJsonObjectAndTheKeyWorksOnTheRunningService() throws Exception {
        final Result result = CommandRunner.run("create-api-key", "--name", unique("TTS-Backend"),
                "--scopes", "users:read,users-info:read", "--expires-in", "30d", "--json", CONFIG);

        assertThat(result.succeeded()).as(result.stderr()).isTrue();
        final JsonNode created = onlyJsonObject(result);
        final String key = created.get("key").asText();
        assertThat(key).matches("[0-9a-f]{40}");
        assertThat(created.get("api_key").get("scopes")).extracting(JsonNode::asText)
                .containsExactly("users-info:read", "users:read");
        assertThat(created.get("api_key").get("expires_at").isNull()).isFalse();
        assertThat(result.stderr()).doesNotContain(key);
        assertThat(whoami(key)).isEqualTo(200);
    }

    @Test
    void theHumanFormIsTheDefault() {
        final String name = unique("human");
        final Result result = CommandRunner.run("create-api-key", "--name", name, CONFIG);
        assertThat(result.succeeded()).isTrue();
        assertThat(result.stdout()).startsWith("Created API key ").contains(name).contains("shown only now");
    }

    @Test
    void aDeactivationByCommandStopsTheKeyOnTheRunningServiceWithinTwoSeconds() throws Exception {
        final String name = unique("to-deactivate");
        final String key = onlyJsonObject(CommandRunner.run("create-api-key", "--name", name, "--json", CONFIG))
                .get("key").asText();
        assertThat(whoami(key)).isEqualTo(200);

        final Result result = CommandRunner.run("deactivate-api-key", "--name", name, "--json", CONFIG);

        assertThat(onlyJsonObject(result).get("api_key").get("status").asText()).isEqualTo("inactive");
        await().atMost(Duration.ofSeconds(2)).until(() -> whoami(key) == 401);
    }

    @Test
    void rotateListAndDeleteDoWhatTheirTasksDo() throws Exception {
        final String name = unique("rotating");
        final String old = onlyJsonObject(CommandRunner.run("create-api-key", "--name", name, "--json", CONFIG))
                .get("key").asText();

        final JsonNode rotated = onlyJsonObject(CommandRunner.run("rotate-api-key", "--name", name, "--grace", "1h",
                "--json", CONFIG));
        final String successor = rotated.get("key").asText();
        assertThat(whoami(old)).isEqualTo(200);
        assertThat(whoami(successor)).isEqualTo(200);

        final JsonNode listed = onlyJsonObject(CommandRunner.run("list-api-keys", "--json", CONFIG));
        assertThat(listed.toString()).contains(name).doesNotContain(old).doesNotContain(successor);

        final Result deleted = CommandRunner.run("delete-api-key", "--id",
                rotated.get("previous").get("id").asText(), CONFIG);
        assertThat(deleted.stdout()).startsWith("Deleted API key");
        await().atMost(Duration.ofSeconds(2)).until(() -> whoami(old) == 401);
        assertThat(whoami(successor)).isEqualTo(200);
    }

    @Test
    void rotationWithoutAGraceUsesTheConfiguredDefault() throws Exception {
        final String name = unique("default-grace");
        final TestClock clock = new TestClock();
        onlyJsonObject(CommandRunner.run(clock, "create-api-key", "--name", name, "--json", CONFIG));

        final JsonNode rotated = onlyJsonObject(CommandRunner.run(clock, "rotate-api-key", "--name", name, "--json", CONFIG));

        // the test configuration sets apiKeys.defaultRotationGrace: 6h (the shipped default is 24h)
        assertThat(Instant.parse(rotated.get("previous").get("expires_at").asText()))
                .isEqualTo(TestClock.START.plus(Duration.ofHours(6)));
    }

    @Test
    void aRefusedCommandFailsWithItsMessageAndJsonStaysOneObject() throws Exception {
        final Result json = CommandRunner.run("deactivate-api-key", "--name", "nobody-has-this-name", "--json", CONFIG);
        assertThat(json.succeeded()).isFalse();
        final JsonNode error = onlyJsonObject(json);
        assertThat(error.get("code").asInt()).isEqualTo(404);
        assertThat(error.get("message").asText()).contains("nobody-has-this-name");

        final Result text = CommandRunner.run("create-api-key", "--name", "x", "--scopes", "root", CONFIG);
        assertThat(text.succeeded()).isFalse();
        assertThat(text.stderr()).contains("unknown scope 'root'").doesNotContain("Exception").doesNotContain("\tat ");
        assertThat(text.stdout()).isEmpty();
    }

    @Test
    void importTakesTheDjangoExportAndTheOldKeysKeepWorking() throws Exception {
        final String active = "6f1ed002ab5595859014ebf0951522d9a1b2c3d4";
        final String inactive = "0e1d2c3b4a5968778695a4b3c2d1e0f9a8b7c6d5";
        final String admin = "a1a2a3a4a5a6a7a8a9b0b1b2b3b4b5b6b7b8b9c0";
        final Path csv = DIR.resolve("api_keys.csv");
        Files.writeString(csv, String.join("\n",
                "id,name,key,is_active,created_at",
                "1,TTS-Backend," + active + ",True,2024-01-15 10:30:00.123456+00:00",
                "2,Old worker," + inactive + ",f,2023-06-01 08:00:00",
                "3,\"HDTS, prod\"," + admin + ",1,2024-03-01T12:00:00Z",
                ""));

        final Result first = CommandRunner.run("import-api-keys", "--csv", csv.toString(), "--json", CONFIG);
        final JsonNode report = onlyJsonObject(first);
        assertThat(report.get("imported").asInt()).isEqualTo(3);
        assertThat(report.get("skipped").asInt()).isZero();
        assertThat(report.toString()).doesNotContain(active).doesNotContain(admin);
        assertThat(report.get("api_keys").get(0).get("created_at").asText()).isEqualTo("2024-01-15T10:30:00.123456Z");
        assertThat(report.get("api_keys").get(2).get("name").asText()).isEqualTo("HDTS, prod");

        assertThat(whoami(active)).isEqualTo(200);
        assertThat(whoami(admin)).isEqualTo(200);
        assertThat(whoami(inactive)).isEqualTo(401);

        final JsonNode again = onlyJsonObject(CommandRunner.run("import-api-keys", "--csv", csv.toString(), "--json", CONFIG));
        assertThat(again.get("imported").asInt()).isZero();
        assertThat(again.get("skipped").asInt()).isEqualTo(3);
    }

    @Test
    void anImportWithOneBadRowImportsNothing() throws Exception {
        final String good = "b1b2b3b4b5b6b7b8b9c0c1c2c3c4c5c6c7c8c9d0";
        final Path csv = DIR.resolve("bad.csv");
        Files.writeString(csv, String.join("\n",
                "name,key,is_active,created_at",
                "fine," + good + ",True,2024-01-15 10:30:00",
                "broken,not-a-key,True,2024-01-15 10:30:00",
                ""));

        final Result result = CommandRunner.run("import-api-keys", "--csv", csv.toString(), "--json", CONFIG);

        assertThat(result.succeeded()).isFalse();
        final JsonNode error = onlyJsonObject(result);
        assertThat(error.get("code").asInt()).isEqualTo(400);
        assertThat(error.get("message").asText()).startsWith("line 3:");
        assertThat(whoami(good)).isEqualTo(401);
        assertThat(CommandRunner.run("list-api-keys", CONFIG).stdout()).doesNotContain(good.substring(0, 8));

        final Path badBoolean = DIR.resolve("bad-boolean.csv");
        Files.writeString(badBoolean, "name,key,is_active\nx," + good + ",maybe\n");
        final Result boolResult = CommandRunner.run("import-api-keys", "--csv", badBoolean.toString(), CONFIG);
        assertThat(boolResult.succeeded()).isFalse();
        assertThat(boolResult.stderr()).contains("line 2: not a boolean: 'maybe'");

        final Result missing = CommandRunner.run("import-api-keys", "--csv", DIR.resolve("nope.csv").toString(), CONFIG);
        assertThat(missing.succeeded()).isFalse();
        assertThat(missing.stderr()).contains("no such file");
    }

    private static int whoami(String key) {
        try (Response response = APP.client().target("http://127.0.0.1:" + APP.getLocalPort() + "/api/v1/whoami/")
                .request().header("X-API-Key", key).get()) {
            return response.getStatus();
        }
    }
}
