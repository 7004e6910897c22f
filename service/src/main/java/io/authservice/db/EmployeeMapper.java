package io.authservice.db;

import io.authservice.core.Employee;
import org.jdbi.v3.core.mapper.RowMapper;
import org.jdbi.v3.core.statement.StatementContext;

import java.sql.ResultSet;
import java.sql.SQLException;

import static io.authservice.db.Timestamps.instant;

/** Maps an {@code employees} row. */
public final class EmployeeMapper implements RowMapper<Employee> {
    @Override
    public Employee map(ResultSet rs, StatementContext ctx) throws SQLException {
        return new Employee(
                rs.getLong("id"),
                rs.getObject("user_id", Long.class),
                rs.getString("employee_number"),
                rs.getString("first_name"),
                rs.getString("last_name"),
                rs.getString("email"),
                rs.getString("department"),
                rs.getString("job_title"),
                rs.getBoolean("is_active"),
                instant(rs, "created_at"),
                instant(rs, "updated_at"));
    }
}
