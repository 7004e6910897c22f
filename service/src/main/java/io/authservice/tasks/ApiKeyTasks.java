package io.authservice.tasks;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.authservice.auth.ApiKeyCache;
import io.authservice.core.ApiKeyChanges;
import io.authservice.core.ApiKeyReports;
import io.authservice.core.ApiKeyService;
import io.authservice.core.InvalidInputException;
import io.authservice.core.JsonBodies;
import io.authservice.core.KeyPolicy;
import io.authservice.core.KeyRef;
import io.authservice.core.LeakedKeys;
import io.authservice.core.OperatorDurations;
import io.authservice.core.Report;
import io.authservice.core.Scopes;
import io.authservice.resources.LeakedKeyResource;
import io.dropwizard.servlets.tasks.Task;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * The API key admin tasks ({@code POST /tasks/<name>} on the admin port). Parameters: {@code name},
 * {@code id}, {@code scopes} (comma-separated), {@code expires_in} and {@code grace} (90d, 24h, ...),
 * {@code allowed_addresses} (CIDR ranges, comma-separated), {@code rate_limit} (600/1m), {@code new_name}
 * ({@code update-api-key}), {@code expiring=true} ({@code list-api-keys}), {@code format=json}.
 */
public final class ApiKeyTasks {
    private ApiKeyTasks() {
    }

    public static List<Task> all(ApiKeyService keys, ApiKeyReports reports, ApiKeyCache cache,
                                 Duration defaultGrace, ObjectMapper json) {
        return List.of(
                new ReportingTask("create-api-key", json, Set.of("name", "scopes", "expires_in", "allowed_addresses",
                        "rate_limit"),
                        (params, body, actor) -> reports.created(keys.create(
                                params.get("name").orElse(null),
                                scopes(params),
                                params.get("expires_in").map(v -> OperatorDurations.parse(v, "expires_in", false)).orElse(null),
                                KeyPolicy.parse(params.get("allowed_addresses").orElse(null),
                                        params.get("rate_limit").orElse(null)),
                                actor))),
                new ReportingTask("list-api-keys", json, Set.of("expiring"),
                        (params, body, actor) -> reports.list(expiring(params) ? keys.expiring() : keys.list())),
                new ReportingTask("update-api-key", json, Set.of("id", "name", "new_name", "scopes", "allowed_addresses",
                        "rate_limit"),
                        (params, body, actor) -> reports.updated(keys.update(ref(params), new ApiKeyChanges(
                                params.get("new_name").orElse(null),
                                params.get("scopes").map(Scopes::parse).orElse(null),
                                params.get("allowed_addresses").orElse(null),
                                params.get("rate_limit").orElse(null)), actor))),
                new ReportingTask("deactivate-api-key", json, Set.of("id", "name"),
                        (params, body, actor) -> reports.deactivated(keys.deactivate(ref(params), actor))),
                new ReportingTask("rotate-api-key", json, Set.of("id", "name", "grace"),
                        (params, body, actor) -> reports.rotated(keys.rotate(
                                ref(params),
                                params.get("grace").map(v -> OperatorDurations.parse(v, "grace", true)).orElse(defaultGrace),
                                actor))),
                new ReportingTask("delete-api-key", json, Set.of("id", "name"),
                        (params, body, actor) -> reports.deleted(keys.delete(ref(params), actor))),
                new ReportingTask("invalidate-api-key-cache", json, Set.of(),
                        (params, body, actor) -> reports.cacheInvalidated(cache.invalidateAll())));
    }

    /**
     * {@code report-leaked-key}: the key in a JSON body ({@code {"key": "..."}}, never a parameter, so
     * it stays out of URLs and request logs); answered the same whether or not the key was found.
     */
    public static Task reportLeaked(LeakedKeys leaks, ObjectMapper json) {
        final JsonBodies bodies = new JsonBodies(json);
        return new ReportingTask("report-leaked-key", json, Set.of(), (params, body, actor) -> {
            leaks.report(bodies.read(body, LeakedKeyResource.Report.class).key(), actor);
            return new Report(LeakedKeys.ANSWER, Map.of("status", "received", "message", LeakedKeys.ANSWER));
        });
    }

    /** {@code expiring=true}: only the active keys expiring within {@code apiKeys.expiryWarning}. */
    private static boolean expiring(TaskParams params) {
        return params.get("expiring").map(value -> switch (value) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new InvalidInputException("'expiring' must be true or false");
        }).orElse(false);
    }

    private static KeyRef ref(TaskParams params) {
        return KeyRef.of(params.get("id").orElse(null), params.get("name").orElse(null));
    }

    private static SortedSet<String> scopes(TaskParams params) {
        return params.get("scopes").map(Scopes::parse).orElseGet(TreeSet::new);
    }
}
