package io.authservice.tasks;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.authservice.auth.ApiKeyCache;
import io.authservice.core.ApiKeyReports;
import io.authservice.core.ApiKeyService;
import io.authservice.core.InvalidInputException;
import io.authservice.core.KeyRef;
import io.authservice.core.LeakedKeys;
import io.authservice.core.Report;
import io.authservice.resources.LeakedKeyResource;
import io.authservice.core.OperatorDurations;
import io.authservice.core.Scopes;
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
 * {@code expiring=true} (list-api-keys), {@code format=json}.
 */
public final class ApiKeyTasks {
    private ApiKeyTasks() {
    }

    public static List<Task> all(ApiKeyService keys, ApiKeyReports reports, ApiKeyCache cache,
                                 Duration defaultGrace, ObjectMapper json) {
        return List.of(
                new ReportingTask("create-api-key", json, Set.of("name", "scopes", "expires_in"),
                        (params, body, actor) -> reports.created(keys.create(
                                params.get("name").orElse(null),
                                scopes(params),
                                params.get("expires_in").map(v -> OperatorDurations.parse(v, "expires_in", false)).orElse(null),
                                actor))),
                new ReportingTask("list-api-keys", json, Set.of("expiring"),
                        (params, body, actor) -> reports.list(expiring(params) ? keys.expiring() : keys.list())),
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
        return new ReportingTask("report-leaked-key", json, Set.of(), (params, body, actor) -> {
            leaks.report(DirectoryTasks.parse(json, body, LeakedKeyResource.Report.class).key(), actor);
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
