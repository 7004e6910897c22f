package io.authservice.tasks;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.authservice.core.DirectoryCsv;
import io.authservice.core.DirectoryReports;
import io.authservice.core.DjangoCsv;
import io.authservice.core.EmployeeService;
import io.authservice.core.InvalidInputException;
import io.authservice.core.JsonBodies;
import io.authservice.core.NewEmployee;
import io.authservice.core.NewUser;
import io.authservice.core.Roles;
import io.authservice.core.UserRef;
import io.authservice.core.UserService;
import io.dropwizard.servlets.tasks.Task;

import java.util.List;
import java.util.Set;

/**
 * The user and employee admin tasks ({@code POST /tasks/<name>} on the admin port).
 *
 * <ul>
 *   <li>{@code create-user}: a JSON body (Content-Type application/json), so a password never sits in
 *       a query string or access log: {@code {"username":..,"email":..,"first_name":..,"last_name":..,
 *       "roles":[..],"password":..}}; only {@code username} is required; no {@code password} means the
 *       user cannot sign in. Unknown fields are refused, so a misspelt "password" does not silently
 *       create a user without one.</li>
 *   <li>{@code create-employee}: query (or form) parameters {@code employee_number}, {@code first_name},
 *       {@code last_name}, {@code email}, {@code department}, {@code job_title}, optional
 *       {@code is_active} and {@code user_id} or {@code username} to link a user.</li>
 *   <li>{@code set-user-roles}: {@code id} or {@code username}, and {@code roles} (comma-separated,
 *       e.g. {@code admin,security}; empty removes every role).</li>
 * </ul>
 * All take {@code format=json}.
 */
public final class DirectoryTasks {
    private DirectoryTasks() {
    }

    public static List<Task> all(UserService users, EmployeeService employees, DirectoryReports reports,
                                 ObjectMapper json) {
        final JsonBodies bodies = new JsonBodies(json);
        return List.of(
                new ReportingTask("create-user", json, Set.of(), (params, body, actor) -> {
                    final CreateUserBody request = bodies.read(body, CreateUserBody.class);
                    return reports.userCreated(users.create(
                            NewUser.of(request.username(), request.email(), request.firstName(), request.lastName(),
                                    request.roles()),
                            request.password(), actor));
                }),
                new ReportingTask("create-employee", json, Set.of("employee_number", "first_name", "last_name", "email",
                        "department", "job_title", "is_active", "user_id", "username"),
                        (params, body, actor) -> reports.employeeCreated(employees.create(new NewEmployee(0,
                                params.get("employee_number").orElse(null),
                                params.get("first_name").orElse(null),
                                params.get("last_name").orElse(null),
                                params.get("email").orElse(null),
                                params.get("department").orElse(null),
                                params.get("job_title").orElse(null),
                                DjangoCsv.parseBoolean(params.get("is_active").orElse(""), true, "'is_active': "),
                                DirectoryCsv.id(params.get("user_id").orElse(null), "user_id", ""),
                                params.get("username").orElse(null)), actor))),
                new ReportingTask("set-user-roles", json, Set.of("id", "username", "roles"),
                        (params, body, actor) -> reports.userRolesSet(users.setRoles(
                                UserRef.of(params.get("id").orElse(null), params.get("username").orElse(null)),
                                Roles.parse(params.get("roles").orElseThrow(() -> new InvalidInputException(
                                        "'roles' is required (comma-separated; empty removes every role)")), ',', ""),
                                actor))));
    }

    /** The {@code create-user} body. Its {@link #toString()} leaves the password out. */
    record CreateUserBody(
            @JsonProperty("username") String username,
            @JsonProperty("email") String email,
            @JsonProperty("first_name") String firstName,
            @JsonProperty("last_name") String lastName,
            @JsonProperty("roles") List<String> roles,
            @JsonProperty("password") String password) {

        @Override
        public String toString() {
            return "CreateUserBody[username=" + username + ", roles=" + roles + "]";
        }
    }
}
