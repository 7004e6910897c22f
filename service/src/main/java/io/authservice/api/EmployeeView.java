package io.authservice.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.authservice.core.Employee;

import java.time.Instant;

/** An employee on the wire, in the original service's snake_case. */
@JsonInclude(JsonInclude.Include.ALWAYS)
public record EmployeeView(
        @JsonProperty("id") long id,
        @JsonProperty("user_id") Long userId,
        @JsonProperty("employee_number") String employeeNumber,
        @JsonProperty("first_name") String firstName,
        @JsonProperty("last_name") String lastName,
        @JsonProperty("email") String email,
        @JsonProperty("department") String department,
        @JsonProperty("job_title") String jobTitle,
        @JsonProperty("is_active") boolean active,
        @JsonProperty("created_at") Instant createdAt,
        @JsonProperty("updated_at") Instant updatedAt) {

    public static EmployeeView of(Employee e) {
        return new EmployeeView(e.id(), e.userId(), e.employeeNumber(), e.firstName(), e.lastName(), e.email(),
                e.department(), e.jobTitle(), e.active(), e.createdAt(), e.updatedAt());
    }
}
