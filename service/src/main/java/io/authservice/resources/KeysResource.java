package io.authservice.resources;

import io.authservice.api.ApiKeyList;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.authservice.api.ApiKeyView;
import io.authservice.core.Actor;
import io.authservice.core.ApiKey;
import io.authservice.core.ApiKeyChanges;
import io.authservice.core.ApiKeyService;
import io.authservice.core.Caller;
import io.authservice.core.InvalidInputException;
import io.authservice.core.JsonBodies;
import io.authservice.core.KeyRef;
import io.authservice.core.OperatorDurations;
import io.authservice.core.Roles;
import io.authservice.core.Scopes;
import io.authservice.core.Text;
import io.dropwizard.auth.Auth;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.MultivaluedMap;
import jakarta.ws.rs.core.UriInfo;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.function.Predicate;

/**
 * The stored keys for the security team and incident playbooks: listing and reading them (never the
 * key or its hash), and changing or deactivating one through the same lifecycle service as the
 * {@code update-api-key} and {@code deactivate-api-key} tasks, so it takes effect on every instance
 * within the revocation delay and is audited with the caller as its actor.
 *
 * <p>Reading is open to people with the {@code security} or {@code admin} role and to keys holding
 * {@code audit:read}; changing and deactivating to those people and to keys holding {@code keys:write}. Each
 * endpoint names one scope: a key's scope refusal is noted per name checked, so two scopes on one
 * endpoint would audit a key holding the second as refused.
 *
 * <p>A cookie-authenticated change or deactivation passes the cross-site check
 * ({@link io.authservice.auth.CrossSiteRequestFilter}: own origin, JSON content type); every caller
 * must send JSON.
 */
@Path("/api/v1/keys")
@Produces(MediaType.APPLICATION_JSON)
public final class KeysResource {
    static final Set<String> LIST_PARAMETERS = Set.of("status", "name", "expiring_within_days", "unused_days");
    private static final Set<String> STATUSES = Set.of("active", "inactive", "expired", "all");

    private final ApiKeyService keys;
    private final Clock clock;
    private final JsonBodies bodies;

    public KeysResource(ApiKeyService keys, Clock clock, ObjectMapper json) {
        this.keys = keys;
        this.clock = clock;
        this.bodies = new JsonBodies(json);
    }

    /**
     * The body of {@code PATCH /api/v1/keys/{id}/}: the fields to change, each left out (or null) to
     * keep it. {@code allowed_addresses} empty: anywhere; {@code rate_limit} {@code "none"}: no limit.
     */
    public record KeyUpdate(@JsonProperty("name") String name,
                            @JsonProperty("scopes") List<String> scopes,
                            @JsonProperty("allowed_addresses") List<String> allowedAddresses,
                            @JsonProperty("rate_limit") String rateLimit) {
        ApiKeyChanges changes() {
            if (name == null && scopes == null && allowedAddresses == null && rateLimit == null) {
                throw new InvalidInputException("nothing to change: give one or more of 'name', 'scopes', "
                        + "'allowed_addresses', 'rate_limit'");
            }
            return new ApiKeyChanges(name, strings(scopes, "scopes"), addresses(), rateLimit);
        }

        private String addresses() {
            final List<String> ranges = strings(allowedAddresses, "allowed_addresses");
            if (ranges != null && ranges.stream().anyMatch(range -> range.contains(","))) {
                throw new InvalidInputException("'allowed_addresses' must be a list of CIDR ranges, one per item");
            }
            return ranges == null ? null : String.join(",", ranges);
        }

        private static List<String> strings(List<String> values, String field) {
            if (values != null && values.stream().anyMatch(Objects::isNull)) {
                throw new InvalidInputException("'" + field + "' must be a list of strings");
            }
            return values;
        }
    }

    /**
     * Every key matching all the filters given, newest first. {@code status}: active, inactive,
     * expired or all (default); {@code name}: a case-insensitive part of the name;
     * {@code expiring_within_days}: active keys whose expiry falls within that many days;
     * {@code unused_days}: active keys with no recorded use (or never used) in that many days.
     */
    @GET
    @Path("/")
    @RolesAllowed({Scopes.AUDIT_READ, Roles.SECURITY, Roles.ADMIN})
    public ApiKeyList list(@Auth Caller caller, @Context UriInfo uri) {
        final MultivaluedMap<String, String> params = uri.getQueryParameters();
        QueryParameters.requireKnown(params, LIST_PARAMETERS);
        final Instant now = clock.instant();
        final Predicate<ApiKey> filter = statusFilter(params.getFirst("status"), now)
                .and(nameFilter(params.getFirst("name")))
                .and(expiringFilter(params.getFirst("expiring_within_days"), now))
                .and(unusedFilter(params.getFirst("unused_days"), now));
        final List<ApiKeyView> matching = keys.list().stream()
                .filter(filter)
                .sorted(Comparator.comparing(ApiKey::createdAt).thenComparing(ApiKey::id).reversed())
                .map(key -> ApiKeyView.of(key, now))
                .toList();
        return new ApiKeyList(matching);
    }

    @GET
    @Path("{id}/")
    @RolesAllowed({Scopes.AUDIT_READ, Roles.SECURITY, Roles.ADMIN})
    public ApiKeyView get(@Auth Caller caller, @PathParam("id") String id) {
        return ApiKeyView.of(keys.resolve(new KeyRef(Ids.parse(id, "key id"), null)), clock.instant());
    }

    /**
     * Changes the key's name, scopes, allowed addresses or rate limit as the {@code update-api-key}
     * task does, never the key itself; a body that asks for what the key already has changes nothing
     * and records no event. Answers the key as it now is.
     */
    @PATCH
    @Path("{id}/")
    @Consumes(MediaType.APPLICATION_JSON)
    @RolesAllowed({Scopes.KEYS_WRITE, Roles.SECURITY, Roles.ADMIN})
    public ApiKeyView update(@Auth Caller caller, @PathParam("id") String id, String body) {
        final KeyRef ref = new KeyRef(Ids.parse(id, "key id"), null);
        final ApiKey key = keys.update(ref, bodies.read(body, KeyUpdate.class).changes(), Actor.api(caller));
        return ApiKeyView.of(key, clock.instant());
    }

    /**
     * Deactivates the key; a key already inactive is answered as it is (200, nothing changes and no
     * event is recorded), so a playbook may retry. The body is a JSON object, e.g. {@code {}}.
     */
    @POST
    @Path("{id}/deactivate/")
    @Consumes(MediaType.APPLICATION_JSON)
    @RolesAllowed({Scopes.KEYS_WRITE, Roles.SECURITY, Roles.ADMIN})
    public ApiKeyView deactivate(@Auth Caller caller, @PathParam("id") String id) {
        final ApiKey key = keys.deactivate(new KeyRef(Ids.parse(id, "key id"), null), Actor.api(caller));
        return ApiKeyView.of(key, clock.instant());
    }

    private static Predicate<ApiKey> statusFilter(String raw, Instant now) {
        final String status = raw == null || raw.isEmpty() ? "all" : raw;
        if (!STATUSES.contains(status)) {
            throw new InvalidInputException("'status': '" + Text.printable(status) + "' is not one of active, inactive,"
                    + " expired, all");
        }
        return status.equals("all") ? key -> true : key -> key.statusAt(now).wireName().equals(status);
    }

    private static Predicate<ApiKey> nameFilter(String raw) {
        if (raw == null || raw.isEmpty()) {
            return key -> true;
        }
        final String part = raw.toLowerCase(Locale.ROOT);
        return key -> key.name().toLowerCase(Locale.ROOT).contains(part);
    }

    private static Predicate<ApiKey> expiringFilter(String raw, Instant now) {
        if (raw == null || raw.isEmpty()) {
            return key -> true;
        }
        final Instant until = now.plus(Duration.ofDays(OperatorDurations.wholeDays(raw, "expiring_within_days", 3650)));
        return key -> key.statusAt(now) == ApiKey.Status.ACTIVE && key.expiresAt() != null
                && !key.expiresAt().isAfter(until);
    }

    private static Predicate<ApiKey> unusedFilter(String raw, Instant now) {
        if (raw == null || raw.isEmpty()) {
            return key -> true;
        }
        final Instant since = now.minus(Duration.ofDays(OperatorDurations.wholeDays(raw, "unused_days", 3650)));
        return key -> key.statusAt(now) == ApiKey.Status.ACTIVE
                && (key.lastUsedAt() == null || key.lastUsedAt().isBefore(since));
    }
}
