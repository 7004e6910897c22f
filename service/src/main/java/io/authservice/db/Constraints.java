package io.authservice.db;

import java.sql.SQLException;

/** Reading constraint violations out of database exceptions, the same way on H2 and PostgreSQL. */
public final class Constraints {
    /** SQLSTATE for a unique (or primary key) violation, on PostgreSQL and H2 alike. */
    private static final String UNIQUE_VIOLATION = "23505";

    private Constraints() {
    }

    /** Whether {@code e} (or a cause) is a unique-constraint violation: a concurrent insert won. */
    public static boolean isUniqueViolation(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException sql && UNIQUE_VIOLATION.equals(sql.getSQLState())) {
                return true;
            }
        }
        return false;
    }
}
