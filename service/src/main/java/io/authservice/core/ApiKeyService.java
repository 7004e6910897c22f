package io.authservice.core;

import io.authservice.audit.AuditEvent;
import io.authservice.audit.AuditEventTypes;
import io.authservice.audit.AuditLog;
import io.authservice.db.ApiKeyDAO;
import io.authservice.db.InLists;
import org.jdbi.v3.core.Jdbi;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * The API key lifecycle: create, list, update, deactivate, rotate, delete, import. The admin tasks and the
 * jar's commands are thin surfaces over this one class, so they behave the same.
 *
 * <p>Every change is written together with a change-log row in one transaction (so every instance
 * drops the key from its cache) and then handed to the audit log with the actor who made it.
 */
public final class ApiKeyService {
    public static final int MAX_NAME_LENGTH = 100;

    private final Jdbi jdbi;
    private final ApiKeySecrets secrets;
    private final Clock clock;
    private final AuditLog audit;
    private final Set<String> defaultScopes;
    private final String instanceId;
    private final Lifetimes lifetimes;

    /**
     * The lifetime policy: {@code max} (null: none) is the longest a key may live, and what a key
     * created, imported or rotated without an expiry gets; keys expiring within {@code warning} are
     * "expiring".
     */
    public record Lifetimes(Duration max, Duration warning) {
        /** No longest lifetime; a warning 14 days ahead (the configuration's defaults). */
        public static final Lifetimes DEFAULT = new Lifetimes(null, Duration.ofDays(14));

        public Lifetimes {
            java.util.Objects.requireNonNull(warning, "warning");
        }
    }

    public ApiKeyService(Jdbi jdbi, ApiKeySecrets secrets, Clock clock, AuditLog audit,
                         Set<String> defaultScopes, String instanceId) {
        this(jdbi, secrets, clock, audit, defaultScopes, instanceId, Lifetimes.DEFAULT);
    }

    public ApiKeyService(Jdbi jdbi, ApiKeySecrets secrets, Clock clock, AuditLog audit,
                         Set<String> defaultScopes, String instanceId, Lifetimes lifetimes) {
        this.lifetimes = lifetimes;
        this.jdbi = jdbi;
        this.secrets = secrets;
        this.clock = clock;
        this.audit = audit;
        this.defaultScopes = Scopes.validate(defaultScopes);
        this.instanceId = instanceId;
    }

    /**
     * Creates a key. {@code scopes} empty means the configured defaults; {@code expiresIn} null means
     * the longest lifetime, or none when there is no longest lifetime; a longer one is refused (400).
     */
    public CreatedApiKey create(String name, Collection<String> scopes, Duration expiresIn, Actor actor) {
        return create(name, scopes, expiresIn, KeyPolicy.NONE, actor);
    }

    /** Creates a key with a policy (allowed addresses, rate limit); otherwise as {@link #create(String, Collection, Duration, Actor)}. */
    public CreatedApiKey create(String name, Collection<String> scopes, Duration expiresIn, KeyPolicy policy, Actor actor) {
        final String checkedName = checkName(name);
        final SortedSet<String> granted = scopesOrDefault(scopes);
        final Instant now = now();
        final Duration lifetime = lifetime(expiresIn);
        final Instant expiresAt = lifetime == null ? null : now.plus(lifetime);
        final CreatedApiKey created = jdbi.inTransaction(handle ->
                insert(handle.attach(ApiKeyDAO.class), checkedName, granted, now, expiresAt, policy));
        record(AuditEventTypes.API_KEY_CREATED, created.stored(), actor);
        return created;
    }

    /** Every key, oldest first. Carries prefixes, never keys or hashes (the wire views drop the hash). */
    public List<ApiKey> list() {
        return jdbi.withExtension(ApiKeyDAO.class, ApiKeyDAO::list);
    }

    /** Active keys whose expiry falls within the warning period ({@code list-api-keys --expiring}), oldest first. */
    public List<ApiKey> expiring() {
        final Instant now = clock.instant();
        final Instant until = now.plus(lifetimes.warning());
        return list().stream()
                .filter(key -> key.statusAt(now) == ApiKey.Status.ACTIVE && key.expiresAt() != null
                        && !key.expiresAt().isAfter(until))
                .toList();
    }

    /** The lifetime policy this service applies. */
    public Lifetimes lifetimes() {
        return lifetimes;
    }

    /** Finds the key a reference names. */
    public ApiKey resolve(KeyRef ref) {
        return jdbi.withExtension(ApiKeyDAO.class, dao -> resolve(dao, ref));
    }

    /** Deactivates a key; deactivating an inactive key changes nothing and is not an error. */
    public ApiKey deactivate(KeyRef ref, Actor actor) {
        final Instant now = now();
        final Change change = jdbi.inTransaction(handle -> {
            final ApiKeyDAO dao = handle.attach(ApiKeyDAO.class);
            final ApiKey key = resolve(dao, ref);
            if (dao.deactivate(key.id(), now) == 0) {
                return new Change(key, false);
            }
            dao.recordChange(key.hash());
            return new Change(dao.findById(key.id()).orElseThrow(), true);
        });
        if (change.changed()) {
            record(AuditEventTypes.API_KEY_DEACTIVATED, change.key(), actor);
        }
        return change.key();
    }

    /**
     * Changes a key's name, scopes, allowed addresses or rate limit (each null: unchanged), never the
     * key itself. Takes effect on every instance within the revocation delay. A change to what the key
     * already has changes nothing and records no event.
     */
    public ApiKey update(KeyRef ref, ApiKeyChanges changes, Actor actor) {
        if (changes.isEmpty()) {
            throw new InvalidInputException("nothing to change: give one or more of 'new_name', 'scopes', "
                    + "'allowed_addresses', 'rate_limit'");
        }
        final String newName = changes.name() == null ? null : checkName(changes.name());
        final SortedSet<String> newScopes = changes.scopes() == null ? null : Scopes.validate(changes.scopes());
        if (newScopes != null && newScopes.isEmpty()) {
            throw new InvalidInputException("'scopes' must name at least one scope; known scopes: " + Scopes.KNOWN_LIST);
        }
        final AllowedAddresses newAddresses = changes.allowedAddresses() == null
                ? null : AllowedAddresses.parse(changes.allowedAddresses());
        final boolean rateLimitGiven = changes.rateLimit() != null;
        final RateLimit newRateLimit = rateLimitGiven && !changes.rateLimit().trim().equals(ApiKeyChanges.NO_LIMIT)
                ? RateLimit.parse(changes.rateLimit()) : null;
        final Instant now = now();
        final Change change = jdbi.inTransaction(handle -> {
            final ApiKeyDAO dao = handle.attach(ApiKeyDAO.class);
            final ApiKey key = resolve(dao, ref);
            final String name = newName == null ? key.name() : newName;
            final SortedSet<String> scopes = newScopes == null ? new TreeSet<>(key.scopes()) : newScopes;
            final KeyPolicy policy = new KeyPolicy(
                    newAddresses == null ? key.policy().allowedAddresses() : newAddresses,
                    rateLimitGiven ? newRateLimit : key.policy().rateLimit());
            if (name.equals(key.name()) && scopes.equals(new TreeSet<>(key.scopes())) && policy.equals(key.policy())) {
                return new Change(key, false);
            }
            dao.update(key.id(), name, Scopes.format(scopes), policy.allowedAddresses().format(),
                    policy.rateLimit() == null ? null : policy.rateLimit().format(), now);
            dao.recordChange(key.hash());
            return new Change(dao.findById(key.id()).orElseThrow(), true);
        });
        if (change.changed()) {
            record(AuditEventTypes.API_KEY_UPDATED, change.key(), actor);
        }
        return change.key();
    }

    /**
     * Rotation as the original's runbook does it, in one step: a successor with the same name,
     * scopes and policy (allowed addresses, rate limit) is created, and the previous key expires after
     * {@code grace}; both work meanwhile. The successor keeps the previous key's lifetime if it had one
     * (no longer than the longest lifetime), else gets the longest lifetime if there is one. Of concurrent rotations of one
     * key exactly one succeeds (the database decides, by a conditional update); the others get 409.
     */
    public RotatedApiKey rotate(KeyRef ref, Duration grace, Actor actor) {
        final Instant now = now();
        final RotatedApiKey rotated = jdbi.inTransaction(handle -> {
            final ApiKeyDAO dao = handle.attach(ApiKeyDAO.class);
            final ApiKey previous = resolve(dao, ref);
            checkRotatable(previous, now);
            final Duration successorLifetime = previous.expiresAt() == null
                    ? lifetimes.max() : capped(Duration.between(previous.createdAt(), previous.expiresAt()));
            final Instant successorExpiry = successorLifetime == null ? null : now.plus(successorLifetime);
            final CreatedApiKey successor = insert(dao, previous.name(), new TreeSet<>(previous.scopes()), now, successorExpiry,
                    previous.policy());
            final Instant graceEnd = now.plus(grace);
            final Instant previousExpiry = previous.expiresAt() != null && previous.expiresAt().isBefore(graceEnd)
                    ? previous.expiresAt() : graceEnd;
            if (dao.supersede(previous.id(), previousExpiry, successor.stored().id(), now) == 0) {
                // a concurrent rotation (or deactivation) committed first: say which; this transaction,
                // successor included, rolls back
                checkRotatable(dao.findById(previous.id())
                        .orElseThrow(() -> RequestRefusedException.notFound("no API key with " + ref)), now);
                throw RequestRefusedException.conflict("key " + previous.id() + " was changed by a concurrent request; try again");
            }
            dao.recordChange(previous.hash());
            return new RotatedApiKey(dao.findById(previous.id()).orElseThrow(), successor);
        });
        record(AuditEventTypes.API_KEY_ROTATED, rotated.previous(), actor);
        record(AuditEventTypes.API_KEY_CREATED, rotated.successor().stored(), actor);
        return rotated;
    }

    /** Deletes a key for good. Its hash stays in the change log long enough for every cache to drop it. */
    public ApiKey delete(KeyRef ref, Actor actor) {
        final ApiKey deleted = jdbi.inTransaction(handle -> {
            final ApiKeyDAO dao = handle.attach(ApiKeyDAO.class);
            final ApiKey key = resolve(dao, ref);
            dao.delete(key.id());
            dao.recordChange(key.hash());
            return key;
        });
        record(AuditEventTypes.API_KEY_DELETED, deleted, actor);
        return deleted;
    }

    /**
     * Stores keys exported from the original service, by hash, so services keep their keys. All
     * rows are checked before any is written, and all are written in one transaction. A key already
     * stored is skipped, so an import can be re-run. {@code scopes} empty means the defaults. Under a
     * longest lifetime an imported key gets it counted from the import, not from the key's original
     * creation: a key made years ago would otherwise arrive expired and break the service using it.
     */
    public ImportResult importKeys(List<ImportedApiKey> rows, Collection<String> scopes, Actor actor) {
        return importKeys(rows, scopes, KeyPolicy.NONE, actor);
    }

    /** Imports as {@link #importKeys(List, Collection, Actor)}, every imported key with {@code policy}. */
    public ImportResult importKeys(List<ImportedApiKey> rows, Collection<String> scopes, KeyPolicy policy, Actor actor) {
        final SortedSet<String> granted = scopesOrDefault(scopes);
        final Set<String> seen = new HashSet<>();
        for (ImportedApiKey row : rows) {
            checkName(row.name(), "line " + row.line() + ": ");
            if (!ApiKeySecrets.isWellFormed(row.key())) {
                throw new InvalidInputException("line " + row.line() + ": the key must be 40 lowercase hex characters"
                        + " (or a prefixed key with a valid checksum)");
            }
            if (!seen.add(row.key())) {
                throw new InvalidInputException("line " + row.line() + ": the same key appears twice in the file");
            }
        }
        final Instant now = now();
        final Instant importedExpiry = lifetimes.max() == null ? null : now.plus(lifetimes.max());
        final ImportResult result = jdbi.inTransaction(handle -> {
            final ApiKeyDAO dao = handle.attach(ApiKeyDAO.class);
            final Set<String> existing = new HashSet<>(InLists.select(
                    rows.stream().map(r -> ApiKeySecrets.hash(r.key())).toList(), dao::existingHashes));
            final List<ApiKey> imported = new ArrayList<>();
            for (ImportedApiKey row : rows) {
                final String hash = ApiKeySecrets.hash(row.key());
                if (existing.contains(hash)) {
                    continue;
                }
                final Instant createdAt = row.createdAt() == null ? now : row.createdAt();
                final long id = dao.insert(row.name().trim(), ApiKeySecrets.prefix(row.key()), hash, Scopes.format(granted),
                        row.active(), createdAt, importedExpiry, row.active() ? null : now);
                setPolicy(dao, id, policy, now);
                dao.recordChange(hash);
                imported.add(dao.findById(id).orElseThrow());
            }
            return new ImportResult(imported, rows.size() - imported.size());
        });
        result.imported().forEach(key -> record(AuditEventTypes.API_KEY_IMPORTED, key, actor));
        return result;
    }

    private record Change(ApiKey key, boolean changed) {
    }

    private CreatedApiKey insert(ApiKeyDAO dao, String name, SortedSet<String> scopes, Instant now, Instant expiresAt,
                                 KeyPolicy policy) {
        final String key = secrets.generate();
        final String hash = ApiKeySecrets.hash(key);
        final long id = dao.insert(name, ApiKeySecrets.prefix(key), hash, Scopes.format(scopes), true, now, expiresAt, null);
        setPolicy(dao, id, policy, now);
        dao.recordChange(hash);
        return new CreatedApiKey(dao.findById(id).orElseThrow(), key);
    }

    private static void setPolicy(ApiKeyDAO dao, long id, KeyPolicy policy, Instant now) {
        if (!policy.equals(KeyPolicy.NONE)) {
            dao.updatePolicy(id, policy.allowedAddresses().format(),
                    policy.rateLimit() == null ? null : policy.rateLimit().format(), now);
        }
    }

    /** The lifetime of a new key asked for {@code requested} (null: none asked): refused when longer than the longest. */
    private Duration lifetime(Duration requested) {
        if (requested == null) {
            return lifetimes.max();
        }
        if (lifetimes.max() != null && requested.compareTo(lifetimes.max()) > 0) {
            throw new InvalidInputException("a key may live at most " + OperatorDurations.format(lifetimes.max())
                    + " (apiKeys.maxLifetime); asked for " + OperatorDurations.format(requested));
        }
        return requested;
    }

    private Duration capped(Duration lifetime) {
        return lifetimes.max() != null && lifetime.compareTo(lifetimes.max()) > 0 ? lifetimes.max() : lifetime;
    }

    /** Throws the 409 that says why {@code key} cannot be rotated, if it cannot. */
    private static void checkRotatable(ApiKey key, Instant now) {
        switch (key.statusAt(now)) {
            case INACTIVE -> throw RequestRefusedException.conflict("key " + key.id() + " is inactive; create a new key instead");
            case EXPIRED -> throw RequestRefusedException.conflict("key " + key.id() + " has expired; create a new key instead");
            case ACTIVE -> { }
        }
        if (key.replacedBy() != null) {
            throw RequestRefusedException.conflict("key " + key.id() + " was already rotated to key " + key.replacedBy());
        }
    }

    private static ApiKey resolve(ApiKeyDAO dao, KeyRef ref) {
        if (ref.id() != null) {
            return dao.findById(ref.id()).orElseThrow(() -> RequestRefusedException.notFound("no API key with " + ref));
        }
        final List<ApiKey> named = dao.findCurrentByName(ref.name());
        if (named.isEmpty()) {
            throw RequestRefusedException.notFound("no active API key with " + ref);
        }
        if (named.size() > 1) {
            throw RequestRefusedException.conflict("ambiguous: " + named.size() + " active API keys have " + ref
                    + " (ids " + named.stream().map(k -> Long.toString(k.id())).toList() + "); name the key by 'id'");
        }
        return named.get(0);
    }

    private SortedSet<String> scopesOrDefault(Collection<String> scopes) {
        final SortedSet<String> checked = scopes == null ? new TreeSet<>() : Scopes.validate(scopes);
        return checked.isEmpty() ? new TreeSet<>(defaultScopes) : checked;
    }

    private static String checkName(String name) {
        return checkName(name, "");
    }

    private static String checkName(String name, String where) {
        final String trimmed = name == null ? "" : name.trim();
        if (trimmed.isEmpty()) {
            throw new InvalidInputException(where + "'name' is required");
        }
        if (trimmed.length() > MAX_NAME_LENGTH) {
            throw new InvalidInputException(where + "'name' must be at most " + MAX_NAME_LENGTH + " characters");
        }
        if (Text.hasControlCharacters(trimmed)) {
            throw new InvalidInputException(where + "'name' must not contain control characters");
        }
        return trimmed;
    }

    private Instant now() {
        // the stores keep microseconds; truncating here keeps what we return equal to what we stored
        return clock.instant().truncatedTo(ChronoUnit.MICROS);
    }

    private void record(String type, ApiKey key, Actor actor) {
        audit.record(AuditEvent.builder(type, AuditEvent.SUCCESS, now())
                .key(key.id(), key.name(), key.prefix())
                .actor(actor.who(), actor.surface())
                .instanceId(instanceId)
                .build());
    }
}
