package io.authservice.testing;

import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * People for tests that run the whole service: created through the admin port's {@code create-user}
 * task with one role and a known password, and signed in through {@code POST /api/v1/token/}.
 */
public final class TestPeople {
    public static final String PASSWORD = "correct horse battery staple";

    /** A created person: the id the task answered and a username of its own. */
    public record Person(long id, String username) {
    }

    private TestPeople() {
    }

    /** Creates a person named {@code <role>-<random>} holding {@code role}. */
    public static Person create(AdminClient admin, String role) {
        final String username = role + "-" + UUID.randomUUID().toString().substring(0, 8);
        final AdminClient.Answer answer = admin.run("create-user", java.util.Map.of("format", "json"), TestApps.ADMIN_TOKEN,
                "{\"username\":\"" + username + "\",\"email\":\"" + username + "@example.com\",\"first_name\":\"F\","
                        + "\"last_name\":\"L\",\"roles\":[\"" + role + "\"],\"password\":\"" + PASSWORD + "\"}");
        assertThat(answer.status()).as(answer.body()).isEqualTo(200);
        return new Person(answer.json().path("user").path("id").asLong(answer.json().path("id").asLong()), username);
    }

    /** Signs the person in; the sign-in's answer, asserted 200 (its body holds the tokens, its headers the cookies). */
    public static Http.Answer signIn(Http http, String username) {
        final Http.Answer answer = http.post("/api/v1/token/", "{\"username\":\"" + username + "\",\"password\":\""
                + PASSWORD + "\"}");
        assertThat(answer.status()).as(answer.body()).isEqualTo(200);
        return answer;
    }

    /** Signs the person in and gives the access token. */
    public static String accessToken(Http http, String username) {
        return signIn(http, username).json().get("access").asText();
    }
}
