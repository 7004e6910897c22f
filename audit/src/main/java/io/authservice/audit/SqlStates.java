package io.authservice.audit;

import java.sql.SQLException;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * Reading a database failure's SQLSTATE out of an exception and its causes, the same way on H2 and
 * PostgreSQL: the one cause-chain walk for the service's unique violations and the audit store's refusals.
 */
public final class SqlStates {
    /** SQLSTATE for a unique (or primary key) violation, on PostgreSQL and H2 alike. */
    public static final String UNIQUE_VIOLATION = "23505";

    private SqlStates() {
    }

    /** The first of {@code failure} and its causes that {@code matches}, if any. */
    public static Optional<Throwable> firstCause(Throwable failure, Predicate<Throwable> matches) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (matches.test(t)) {
                return Optional.of(t);
            }
        }
        return Optional.empty();
    }

    /** Whether {@code t} is an {@link SQLException} whose SQLSTATE {@code state} accepts. */
    public static boolean hasState(Throwable t, Predicate<String> state) {
        return t instanceof SQLException sql && sql.getSQLState() != null && state.test(sql.getSQLState());
    }

    /** Whether {@code failure} (or a cause) is a unique-constraint violation: a concurrent insert won. */
    public static boolean isUniqueViolation(Throwable failure) {
        return firstCause(failure, t -> hasState(t, UNIQUE_VIOLATION::equals)).isPresent();
    }
}
