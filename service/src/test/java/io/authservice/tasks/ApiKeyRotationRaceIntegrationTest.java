package io.authservice.tasks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.authservice.AuthServiceConfiguration;
import io.authservice.testing.AdminClient;
import io.authservice.testing.AdminClient.Answer;
import io.authservice.testing.CommandRunner;
import io.authservice.testing.TestApps;
import io.authservice.testing.TestAuthServiceApplication;
import io.authservice.testing.TestDatabases;
import io.dropwizard.testing.junit5.DropwizardAppExtension;
import io.dropwizard.testing.junit5.DropwizardExtensionsSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.StreamSupport;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two rotations of one key at once, on PostgreSQL: exactly one wins and leaves one successor; the
 * other is refused with 409 and a message that names the winner (task) or fails with that message
 * (command). Raced many times, the two requests released together by a barrier.
 */
@ExtendWith(DropwizardExtensionsSupport.class)
class ApiKeyRotationRaceIntegrationTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path DIR = TestApps.tempDir();
    private static final String CONFIG = TestApps.writeConfig(TestDatabases.newPostgres(), DIR);
    private static final DropwizardAppExtension<AuthServiceConfiguration> APP =
            new DropwizardAppExtension<>(TestAuthServiceApplication.class, CONFIG);

    private final AdminClient admin = new AdminClient(APP.client(), APP.getAdminPort());

    @Test
    void ofTwoConcurrentRotateTasksExactlyOneWinsAndTheOtherGets409() throws Exception {
        final ExecutorService racers = Executors.newFixedThreadPool(2);
        try {
            for (int round = 0; round < 30; round++) {
                final String name = "race-task-" + round;
                final String id = admin.json("create-api-key", Map.of("name", name)).get("api_key").get("id").asText();
                final Callable<Answer> rotate = () -> admin.run("rotate-api-key", Map.of("id", id, "grace", "1h", "format", "json"));

                final List<Answer> answers = race(racers, rotate, rotate);

                assertThat(answers).extracting(Answer::status).as("round %d", round).containsExactlyInAnyOrder(200, 409);
                final Answer won = answers.stream().filter(a -> a.status() == 200).findFirst().orElseThrow();
                final Answer lost = answers.stream().filter(a -> a.status() == 409).findFirst().orElseThrow();
                final String successor = won.json().get("api_key").get("id").asText();
                assertThat(lost.contentType()).startsWith("application/json");
                assertThat(lost.json().get("code").asInt()).isEqualTo(409);
                assertThat(lost.json().get("message").asText())
                        .isEqualTo("key " + id + " was already rotated to key " + successor);
                assertThat(keysNamed(name)).as("the key and one successor").isEqualTo(2);
            }
        } finally {
            racers.shutdownNow();
        }
    }

    @Test
    void aRotateCommandRacingARotateTaskLosesWithItsMessageOrWins() throws Exception {
        final ExecutorService racers = Executors.newFixedThreadPool(2);
        try {
            for (int round = 0; round < 5; round++) {
                final String name = "race-command-" + round;
                final String id = admin.json("create-api-key", Map.of("name", name)).get("api_key").get("id").asText();

                final List<Object> answers = race(racers,
                        () -> admin.run("rotate-api-key", Map.of("id", id, "grace", "1h", "format", "json")),
                        () -> CommandRunner.run("rotate-api-key", "--id", id, "--grace", "1h", "--json", CONFIG));

                final Answer task = (Answer) answers.get(0);
                final CommandRunner.Result command = (CommandRunner.Result) answers.get(1);
                assertThat(task.status() == 200).as("round %d: exactly one wins (task %d, command %s)", round,
                        task.status(), command.stdout()).isNotEqualTo(command.succeeded());
                if (task.status() == 200) {
                    assertThat(command.stderr()).contains("error: key " + id + " was already rotated to key "
                            + task.json().get("api_key").get("id").asText());
                    assertThat(JSON.readTree(command.stdout()).get("code").asInt()).isEqualTo(409);
                } else {
                    assertThat(task.status()).isEqualTo(409);
                    assertThat(task.json().get("message").asText()).isEqualTo("key " + id + " was already rotated to key "
                            + JSON.readTree(command.stdout()).get("api_key").get("id").asText());
                }
                assertThat(keysNamed(name)).as("the key and one successor").isEqualTo(2);
            }
        } finally {
            racers.shutdownNow();
        }
    }

    /** Runs both at once (released together) and returns their answers in order. */
    @SafeVarargs
    private static <T> List<T> race(ExecutorService racers, Callable<? extends T>... calls) throws Exception {
        final CyclicBarrier start = new CyclicBarrier(calls.length);
        final List<Future<? extends T>> running = java.util.Arrays.stream(calls)
                .<Future<? extends T>>map(call -> racers.submit(() -> {
                    start.await(10, TimeUnit.SECONDS);
                    return call.call();
                }))
                .toList();
        final java.util.ArrayList<T> answers = new java.util.ArrayList<>();
        for (Future<? extends T> answer : running) {
            answers.add(answer.get(60, TimeUnit.SECONDS));
        }
        return answers;
    }

    private long keysNamed(String name) {
        final JsonNode keys = admin.json("list-api-keys", Map.of()).get("api_keys");
        return StreamSupport.stream(keys.spliterator(), false).filter(k -> name.equals(k.get("name").asText())).count();
    }
}
