package io.authservice.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.ws.rs.client.Client;
import jakarta.ws.rs.client.Entity;
import jakarta.ws.rs.client.WebTarget;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import java.io.UncheckedIOException;
import java.util.Map;

/** Runs admin tasks on a test app's admin port, as an operator would with curl. */
public final class AdminClient {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Client client;
    private final int adminPort;

    public AdminClient(Client client, int adminPort) {
        this.client = client;
        this.adminPort = adminPort;
    }

    /** The answer of a task: status and body. */
    public record Answer(int status, String body, String contentType) {
        public JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new UncheckedIOException(new java.io.IOException("not JSON: " + body, e));
            }
        }
    }

    /** POSTs the task with query parameters and the admin token. */
    public Answer run(String task, Map<String, String> params) {
        return run(task, params, TestApps.ADMIN_TOKEN, null);
    }

    public Answer run(String task, Map<String, String> params, String token, String jsonBody) {
        WebTarget target = client.target("http://127.0.0.1:" + adminPort + "/tasks/" + task);
        for (Map.Entry<String, String> p : params.entrySet()) {
            target = target.queryParam(p.getKey(), p.getValue());
        }
        final var request = target.request();
        if (token != null) {
            request.header("X-Admin-Token", token);
        }
        try (Response response = request.post(Entity.entity(jsonBody == null ? "" : jsonBody,
                jsonBody == null ? MediaType.TEXT_PLAIN_TYPE : MediaType.APPLICATION_JSON_TYPE))) {
            return new Answer(response.getStatus(), response.readEntity(String.class),
                    response.getHeaderString("Content-Type"));
        }
    }

    /** Runs a task with {@code format=json}, expecting success, and returns the JSON answer. */
    public JsonNode json(String task, Map<String, String> params) {
        final Map<String, String> withFormat = new java.util.HashMap<>(params);
        withFormat.put("format", "json");
        final Answer answer = run(task, withFormat);
        if (answer.status() != 200) {
            throw new AssertionError("task " + task + " answered " + answer.status() + ": " + answer.body());
        }
        return answer.json();
    }
}
