package io.authservice.db;

import io.authservice.core.Employee;
import org.jdbi.v3.sqlobject.config.RegisterRowMapper;
import org.jdbi.v3.sqlobject.customizer.Bind;
import org.jdbi.v3.sqlobject.customizer.BindList;
import org.jdbi.v3.sqlobject.statement.GetGeneratedKeys;
import org.jdbi.v3.sqlobject.statement.SqlQuery;
import org.jdbi.v3.sqlobject.statement.SqlUpdate;

import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/** The {@code employees} table. */
@RegisterRowMapper(EmployeeMapper.class)
public interface EmployeeDAO {
    String COLUMNS = "id, user_id, employee_number, first_name, last_name, email, department, job_title, is_active, "
            + "created_at, updated_at";

    @SqlQuery("SELECT " + COLUMNS + " FROM employees WHERE id = :id")
    Optional<Employee> findById(@Bind("id") long id);

    @SqlQuery("SELECT " + COLUMNS + " FROM employees WHERE employee_number = :number")
    Optional<Employee> findByEmployeeNumber(@Bind("number") String employeeNumber);

    @SqlQuery("SELECT " + COLUMNS + " FROM employees WHERE user_id = :userId")
    Optional<Employee> findByUserId(@Bind("userId") long userId);

    /** The employees among {@code ids} (any order); pass at most a few hundred ids. */
    @SqlQuery("SELECT " + COLUMNS + " FROM employees WHERE id IN (<ids>)")
    List<Employee> findByIds(@BindList("ids") Collection<Long> ids);

    /** Which of {@code numbers} are stored; pass at most a few hundred. */
    @SqlQuery("SELECT employee_number FROM employees WHERE employee_number IN (<numbers>)")
    List<String> existingEmployeeNumbers(@BindList("numbers") Collection<String> numbers);

    @SqlUpdate("INSERT INTO employees (user_id, employee_number, first_name, last_name, email, department, job_title, "
            + "is_active, created_at, updated_at) VALUES (:userId, :number, :firstName, :lastName, :email, :department, "
            + ":jobTitle, :active, :createdAt, :createdAt)")
    @GetGeneratedKeys("id")
    long insert(@Bind("userId") Long userId, @Bind("number") String employeeNumber, @Bind("firstName") String firstName,
                @Bind("lastName") String lastName, @Bind("email") String email, @Bind("department") String department,
                @Bind("jobTitle") String jobTitle, @Bind("active") boolean active, @Bind("createdAt") Instant createdAt);
}
