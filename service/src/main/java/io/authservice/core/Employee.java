package io.authservice.core;

import java.time.Instant;
import java.util.Objects;

/**
 * A stored employee record.
 *
 * @param userId the user this employee signs in as, or null
 */
public record Employee(
        long id,
        Long userId,
        String employeeNumber,
        String firstName,
        String lastName,
        String email,
        String department,
        String jobTitle,
        boolean active,
        Instant createdAt,
        Instant updatedAt) {

    public Employee {
        Objects.requireNonNull(employeeNumber, "employeeNumber");
        Objects.requireNonNull(firstName, "firstName");
        Objects.requireNonNull(lastName, "lastName");
        Objects.requireNonNull(email, "email");
        Objects.requireNonNull(department, "department");
        Objects.requireNonNull(jobTitle, "jobTitle");
        Objects.requireNonNull(createdAt, "createdAt");
        Objects.requireNonNull(updatedAt, "updatedAt");
    }
}
