package io.authservice.core;

import io.authservice.audit.AuditEvent;
import io.authservice.audit.AuditEventTypes;
import io.authservice.audit.AuditLog;
import io.authservice.audit.SqlStates;
import io.authservice.db.DirectoryChangeDAO;
import io.authservice.db.EmployeeDAO;
import io.authservice.db.InLists;
import io.authservice.db.UserDAO;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.StatementException;

import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Employee records: create, import from the original service, look up. An employee may be linked
 * to one user (named by id or username), and a user to at most one employee.
 */
public final class EmployeeService {

    private final Jdbi jdbi;
    private final Clock clock;
    private final AuditLog audit;
    private final String instanceId;

    public EmployeeService(Jdbi jdbi, Clock clock, AuditLog audit, String instanceId) {
        this.jdbi = jdbi;
        this.clock = clock;
        this.audit = audit;
        this.instanceId = instanceId;
    }

    /**
     * Creates an employee.
     *
     * @throws InvalidInputException naming the field at fault, or a linked user that does not exist
     * @throws RequestRefusedException    409 if the employee number is taken or the user already linked
     */
    public Employee create(NewEmployee employee, Actor actor) {
        final Checked checked = check(employee);
        final Instant now = now();
        final Employee created = write(() -> jdbi.inTransaction(handle -> {
            final EmployeeDAO dao = handle.attach(EmployeeDAO.class);
            if (dao.findByEmployeeNumber(checked.employeeNumber()).isPresent()) {
                throw RequestRefusedException.conflict("employee number '" + checked.employeeNumber() + "' is already taken");
            }
            final Long userId = resolveUser(handle, checked, Set.of());
            final long id = insert(dao, checked, userId, now);
            changed(handle, List.of(id));
            return dao.findById(id).orElseThrow();
        }), "employee number '" + checked.employeeNumber() + "' or its user was taken meanwhile");
        record(AuditEventTypes.EMPLOYEE_CREATED, created, actor);
        return created;
    }

    /** The employee with this id. */
    public Optional<Employee> find(long id) {
        return jdbi.withExtension(EmployeeDAO.class, dao -> dao.findById(id));
    }

    /**
     * Stores employees exported from the original service. Every row is checked before any is
     * written, and all are written in one transaction; an employee number already stored is skipped,
     * so an import can be re-run. A row naming a user that does not exist imports nothing.
     */
    public Imported<Employee> importEmployees(List<NewEmployee> rows, Actor actor) {
        final List<Checked> checked = new ArrayList<>();
        final Map<String, Integer> lines = new HashMap<>();
        for (NewEmployee row : rows) {
            final Checked c = check(row);
            final Integer first = lines.putIfAbsent(c.employeeNumber(), row.line());
            if (first != null) {
                throw new InvalidInputException(Fields.where(row.line()) + "employee_number '" + c.employeeNumber()
                        + "' appears twice in the file (first on line " + first + ")");
            }
            checked.add(c);
        }
        final Instant now = now();
        final Imported<Employee> result = write(() -> jdbi.inTransaction(handle -> {
            final EmployeeDAO dao = handle.attach(EmployeeDAO.class);
            final Set<String> existing = new HashSet<>(InLists.select(
                    checked.stream().map(Checked::employeeNumber).toList(), dao::existingEmployeeNumbers));
            final List<Employee> imported = new ArrayList<>();
            final Map<Long, Integer> linkedHere = new HashMap<>();
            for (Checked c : checked) {
                if (existing.contains(c.employeeNumber())) {
                    continue;
                }
                final Long userId = resolveUser(handle, c, linkedHere.keySet());
                if (userId != null) {
                    linkedHere.put(userId, c.line());
                }
                imported.add(dao.findById(insert(dao, c, userId, now)).orElseThrow());
            }
            changed(handle, imported.stream().map(Employee::id).toList());
            return new Imported<>(imported, checked.size() - imported.size());
        }), "another change added some of these employees meanwhile; run the import again");
        result.imported().forEach(employee -> record(AuditEventTypes.EMPLOYEE_IMPORTED, employee, actor));
        return result;
    }

    private record Checked(int line, String employeeNumber, String firstName, String lastName, String email,
                           String department, String jobTitle, boolean active, Long userId, String username) {
        String where() {
            return Fields.where(line);
        }
    }

    private static Checked check(NewEmployee e) {
        final String where = Fields.where(e.line());
        if (e.userId() != null && e.userId() <= 0) {
            throw new InvalidInputException(where + "'user_id' must be a positive integer");
        }
        final String username = Fields.optional(e.username(), "username", 150, where);
        return new Checked(
                e.line(),
                Fields.required(e.employeeNumber(), "employee_number", 50, where),
                Fields.required(e.firstName(), "first_name", 150, where),
                Fields.required(e.lastName(), "last_name", 150, where),
                Fields.email(e.email(), true, where),
                Fields.optional(e.department(), "department", 150, where),
                Fields.optional(e.jobTitle(), "job_title", 150, where),
                e.active(),
                e.userId(),
                username.isEmpty() ? null : username);
    }

    /** The id of the user an employee links to, or null; the user must exist and be linked to no one else. */
    private static Long resolveUser(Handle handle, Checked c, Set<Long> linkedInThisImport) {
        if (c.userId() == null && c.username() == null) {
            return null;
        }
        final UserDAO users = handle.attach(UserDAO.class);
        final User user;
        if (c.userId() != null) {
            user = users.findById(c.userId()).orElseThrow(() ->
                    new InvalidInputException(c.where() + "'user_id': no user with id " + c.userId()));
            if (c.username() != null && !c.username().equals(user.username())) {
                throw new InvalidInputException(c.where() + "'user_id' " + c.userId() + " is user '" + user.username()
                        + "', not 'username' '" + Text.printable(c.username()) + "'");
            }
        } else {
            user = users.findByUsername(c.username()).orElseThrow(() ->
                    new InvalidInputException(c.where() + "'username': no user '" + Text.printable(c.username()) + "'"));
        }
        if (linkedInThisImport.contains(user.id())) {
            throw new InvalidInputException(c.where() + "user '" + user.username()
                    + "' is linked to two employees in the file");
        }
        final Optional<Employee> linked = handle.attach(EmployeeDAO.class).findByUserId(user.id());
        if (linked.isPresent()) {
            throw RequestRefusedException.conflict(c.where() + "user '" + user.username() + "' is already linked to employee "
                    + linked.get().employeeNumber());
        }
        return user.id();
    }

    private static long insert(EmployeeDAO dao, Checked c, Long userId, Instant now) {
        return dao.insert(userId, c.employeeNumber(), c.firstName(), c.lastName(), c.email(), c.department(),
                c.jobTitle(), c.active(), now);
    }

    /** Records in the directory's change log, in the writing transaction, that these employees changed. */
    private static void changed(Handle handle, List<Long> ids) {
        if (!ids.isEmpty()) {
            handle.attach(DirectoryChangeDAO.class).recordChanges(DirectoryChangeDAO.EMPLOYEE, ids);
        }
    }

    private interface Write<T> {
        T run();
    }

    /** Runs a write; a unique violation (a concurrent writer won) becomes a 409 with {@code raced}. */
    private static <T> T write(Write<T> write, String raced) {
        try {
            return write.run();
        } catch (StatementException e) {
            if (SqlStates.isUniqueViolation(e)) {
                throw RequestRefusedException.conflict(raced);
            }
            throw e;
        }
    }

    private Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.MICROS);
    }

    private void record(String type, Employee employee, Actor actor) {
        audit.record(AuditEvent.builder(type, AuditEvent.SUCCESS, now())
                .userId(employee.userId())
                .actor(actor.who(), actor.surface())
                .instanceId(instanceId)
                .build());
    }
}
