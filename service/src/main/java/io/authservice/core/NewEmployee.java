package io.authservice.core;

/**
 * An employee to create, as given (not yet checked). The linked user, if any, is named by
 * {@code userId} or {@code username} (both may be given if they name the same user).
 *
 * @param line the CSV line it came from, for messages; 0 when not from a file
 */
public record NewEmployee(int line, String employeeNumber, String firstName, String lastName, String email,
                          String department, String jobTitle, boolean active, Long userId, String username) {
}
