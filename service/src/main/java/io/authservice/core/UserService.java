package io.authservice.core;

import io.authservice.audit.AuditEvent;
import io.authservice.audit.AuditEventTypes;
import io.authservice.audit.AuditLog;
import io.authservice.audit.SqlStates;
import io.authservice.db.DirectoryChangeDAO;
import io.authservice.db.InLists;
import io.authservice.db.UserDAO;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.StatementException;

import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Users: create (with or without a password), import from the original service, look up. Tasks and
 * commands are thin surfaces over this class. A password goes straight into the {@link PasswordHasher};
 * only its Argon2id hash is stored, and no report, log or audit event carries either.
 */
public final class UserService {
    public static final int MIN_PASSWORD_LENGTH = 8;
    public static final int MAX_PASSWORD_LENGTH = 1024;

    private final Jdbi jdbi;
    private final PasswordHasher passwords;
    private final Clock clock;
    private final AuditLog audit;
    private final String instanceId;

    public UserService(Jdbi jdbi, PasswordHasher passwords, Clock clock, AuditLog audit, String instanceId) {
        this.jdbi = jdbi;
        this.passwords = passwords;
        this.clock = clock;
        this.audit = audit;
        this.instanceId = instanceId;
    }

    /**
     * Creates a user. {@code password} null means the user has no password (and cannot sign in).
     *
     * @throws InvalidInputException naming the field at fault
     * @throws RequestRefusedException    409 if the username is taken
     */
    public User create(NewUser user, String password, Actor actor) {
        final Checked checked = check(user);
        final String hash = password == null ? null : passwords.hash(checkPassword(password));
        final Instant now = now();
        final User created;
        try {
            created = jdbi.inTransaction(handle -> {
                final UserDAO dao = handle.attach(UserDAO.class);
                if (dao.findByUsername(checked.username()).isPresent()) {
                    throw taken(checked.username());
                }
                final long id = insert(dao, checked, hash, now);
                changed(handle, List.of(id));
                return dao.findById(id).orElseThrow();
            });
        } catch (StatementException e) {
            if (SqlStates.isUniqueViolation(e)) {
                throw taken(checked.username());
            }
            throw e;
        }
        record(AuditEventTypes.USER_CREATED, created, actor);
        return created;
    }

    /**
     * Replaces a user's roles ({@link Roles#ADMIN}, {@link Roles#SECURITY}, or any other valid name);
     * an empty list removes them all. Access tokens already issued keep their roles until they
     * expire; the next refresh carries the new ones.
     *
     * @throws RequestRefusedException 404 for an unknown user
     */
    public User setRoles(UserRef ref, List<String> roles, Actor actor) {
        final List<String> checked = Roles.validate(roles, "");
        final Instant now = now();
        final User updated = jdbi.inTransaction(handle -> {
            final UserDAO dao = handle.attach(UserDAO.class);
            final User user = (ref.id() != null ? dao.findById(ref.id()) : dao.findByUsername(ref.username()))
                    .orElseThrow(() -> RequestRefusedException.notFound("no user with " + ref));
            dao.updateRoles(user.id(), Roles.format(checked), now);
            changed(handle, List.of(user.id()));
            return dao.findById(user.id()).orElseThrow();
        });
        record(AuditEventTypes.USER_ROLES_CHANGED, updated, actor);
        return updated;
    }

    /** The user with this id. */
    public Optional<User> find(long id) {
        return jdbi.withExtension(UserDAO.class, dao -> dao.findById(id));
    }

    /** The users with these ids, in the order of {@code ids} (duplicates once); unknown ids are left out. */
    public List<User> findAll(Collection<Long> ids) {
        final List<Long> distinct = List.copyOf(new LinkedHashSet<>(ids));
        final Map<Long, User> byId = new HashMap<>();
        jdbi.useExtension(UserDAO.class, dao -> InLists.select(distinct, dao::findByIds)
                .forEach(user -> byId.put(user.id(), user)));
        return distinct.stream().filter(byId::containsKey).map(byId::get).toList();
    }

    /**
     * Stores users exported from the original service. Every row is checked before any is written,
     * and all are written in one transaction; a username already stored is skipped, so an import can
     * be re-run. Imported users have no password.
     */
    public Imported<User> importUsers(List<NewUser> rows, Actor actor) {
        final List<Checked> checked = new ArrayList<>();
        final Map<String, Integer> lines = new HashMap<>();
        for (NewUser row : rows) {
            final Checked c = check(row);
            final Integer first = lines.putIfAbsent(c.username(), row.line());
            if (first != null) {
                throw new InvalidInputException(Fields.where(row.line()) + "username '" + c.username()
                        + "' appears twice in the file (first on line " + first + ")");
            }
            checked.add(c);
        }
        final Instant now = now();
        final Imported<User> result;
        try {
            result = jdbi.inTransaction(handle -> {
                final UserDAO dao = handle.attach(UserDAO.class);
                final Set<String> existing = new HashSet<>();
                InLists.select(checked.stream().map(Checked::username).toList(), dao::findByUsernames)
                        .forEach(user -> existing.add(user.username()));
                final List<User> imported = new ArrayList<>();
                for (Checked c : checked) {
                    if (!existing.contains(c.username())) {
                        imported.add(dao.findById(insert(dao, c, null, now)).orElseThrow());
                    }
                }
                changed(handle, imported.stream().map(User::id).toList());
                return new Imported<>(imported, checked.size() - imported.size());
            });
        } catch (StatementException e) {
            if (SqlStates.isUniqueViolation(e)) {
                throw RequestRefusedException.conflict("another change added some of these users meanwhile; run the import again");
            }
            throw e;
        }
        result.imported().forEach(user -> record(AuditEventTypes.USER_IMPORTED, user, actor));
        return result;
    }

    private record Checked(String username, String email, String firstName, String lastName, List<String> roles,
                           boolean active, Instant dateJoined) {
    }

    private static Checked check(NewUser user) {
        final String where = Fields.where(user.line());
        return new Checked(
                Fields.username(user.username(), where),
                Fields.email(user.email(), false, where),
                Fields.optional(user.firstName(), "first_name", 150, where),
                Fields.optional(user.lastName(), "last_name", 150, where),
                Roles.validate(user.roles(), where),
                user.active(),
                user.dateJoined() == null ? null : user.dateJoined().truncatedTo(ChronoUnit.MICROS));
    }

    /** Checks a password's length; the message never repeats it. */
    private static String checkPassword(String password) {
        final int length = password.codePointCount(0, password.length());
        if (length < MIN_PASSWORD_LENGTH) {
            throw new InvalidInputException("'password' must be at least " + MIN_PASSWORD_LENGTH + " characters");
        }
        if (length > MAX_PASSWORD_LENGTH) {
            throw new InvalidInputException("'password' must be at most " + MAX_PASSWORD_LENGTH + " characters");
        }
        return password;
    }

    private static long insert(UserDAO dao, Checked c, String hash, Instant now) {
        return dao.insert(c.username(), c.email(), c.firstName(), c.lastName(), hash, Roles.format(c.roles()),
                c.active(), c.dateJoined() == null ? now : c.dateJoined(), now);
    }

    /** Records in the directory's change log, in the writing transaction, that these users changed. */
    private static void changed(Handle handle, List<Long> ids) {
        if (!ids.isEmpty()) {
            handle.attach(DirectoryChangeDAO.class).recordChanges(DirectoryChangeDAO.USER, ids);
        }
    }

    private static RequestRefusedException taken(String username) {
        return RequestRefusedException.conflict("username '" + username + "' is already taken");
    }

    private Instant now() {
        // the stores keep microseconds; truncating here keeps what we return equal to what we stored
        return clock.instant().truncatedTo(ChronoUnit.MICROS);
    }

    private void record(String type, User user, Actor actor) {
        audit.record(AuditEvent.builder(type, AuditEvent.SUCCESS, now())
                .userId(user.id())
                .actor(actor.who(), actor.surface())
                .instanceId(instanceId)
                .build());
    }
}
