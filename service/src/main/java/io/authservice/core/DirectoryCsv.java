package io.authservice.core;

import java.io.Reader;
import java.util.List;

/**
 * Reads CSV exports of the original service's users and employees (with a header row; column order
 * does not matter, other columns are ignored, so a {@code password} column in a Django export is
 * never read).
 *
 * <ul>
 *   <li>users: {@code username,email,first_name,last_name,is_active,date_joined[,roles]}; {@code roles}
 *       is separated by semicolons ({@code admin;agent}), so it needs no quoting. Empty {@code is_active}
 *       means true, empty {@code date_joined} means the time of import.</li>
 *   <li>employees: {@code employee_number,first_name,last_name,email,department,job_title,is_active}
 *       and, to link a user, {@code user_id} or {@code username} (either may be empty).</li>
 * </ul>
 */
public final class DirectoryCsv {
    public static final char ROLE_SEPARATOR = ';';
    public static final List<String> USER_COLUMNS = List.of("username", "email", "first_name", "last_name");
    public static final List<String> EMPLOYEE_COLUMNS = List.of("employee_number", "first_name", "last_name", "email");

    private DirectoryCsv() {
    }

    /** The users in a CSV export; checks the form of booleans and timestamps, not the fields themselves. */
    public static List<NewUser> users(Reader reader) {
        return DjangoCsv.read(reader, USER_COLUMNS).stream().map(row -> {
            final String where = "line " + row.line() + ": ";
            return new NewUser(row.line(), row.get("username"), row.get("email"), row.get("first_name"),
                    row.get("last_name"), Roles.parse(row.get("roles"), ROLE_SEPARATOR, where),
                    DjangoCsv.parseBoolean(row.get("is_active"), true, where),
                    DjangoCsv.parseTimestamp(row.get("date_joined"), where));
        }).toList();
    }

    /** The employees in a CSV export. */
    public static List<NewEmployee> employees(Reader reader) {
        return DjangoCsv.read(reader, EMPLOYEE_COLUMNS).stream().map(row -> {
            final String where = "line " + row.line() + ": ";
            return new NewEmployee(row.line(), row.get("employee_number"), row.get("first_name"), row.get("last_name"),
                    row.get("email"), row.get("department"), row.get("job_title"),
                    DjangoCsv.parseBoolean(row.get("is_active"), true, where),
                    id(row.get("user_id"), "user_id", where), row.get("username"));
        }).toList();
    }

    /** A positive id; empty means null. */
    public static Long id(String raw, String field, String where) {
        if (raw == null || raw.isBlank()) {
            return null;
        }
        return PositiveIds.parse(raw, where + "'" + field + "'", InvalidInputException::new);
    }
}
