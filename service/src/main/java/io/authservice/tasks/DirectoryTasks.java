package io.authservice.tasks;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import io.authservice.core.DirectoryCsv;
import io.authservice.core.DirectoryReports;
import io.authservice.core.DjangoCsv;
import io.authservice.core.EmployeeService;
import io.authservice.core.InvalidInputException;
import io.authservice.core.NewEmployee;
import io.authservice.core.NewUser;
import io.authservice.core.Roles;
import io.authservice.core.Text;
import io.authservice.core.UserRef;
import io.authservice.core.UserService;
import io.dropwizard.servlets.tasks.Task;

import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

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
        return List.of(
                new ReportingTask("create-user", json, Set.of(), (params, body, actor) -> {
                    final CreateUserBody request = parse(json, body, CreateUserBody.class);
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

    /**
     * Reads a JSON object body. Messages name the field at fault but never repeat the body's text:
     * it may hold a password.
     */
    public static <T> T parse(ObjectMapper json, String body, Class<T> type) {
        if (body == null || body.isBlank()) {
            throw new InvalidInputException("the request body must be a JSON object (Content-Type: application/json)");
        }
        try {
            return json.readerFor(type)
                    .with(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                    .with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                    .readValue(body);
        } catch (UnrecognizedPropertyException e) {
            throw new InvalidInputException("unknown field '" + Text.printable(e.getPropertyName()) + "'; known fields: "
                    + e.getKnownPropertyIds().stream().map(String::valueOf).sorted().collect(Collectors.joining(", ")));
        } catch (MismatchedInputException e) {
            final String field = field(e);
            throw new InvalidInputException(field.isEmpty() ? "the request body must be a JSON object"
                    : "'" + field + "' has the wrong type");
        } catch (JsonProcessingException e) {
            throw new InvalidInputException("the request body is not valid JSON"
                    + (e.getLocation() == null ? "" : " (line " + e.getLocation().getLineNr()
                    + ", column " + e.getLocation().getColumnNr() + ")"));
        }
    }

    private static String field(JsonMappingException e) {
        return e.getPath().stream()
                .map(ref -> ref.getFieldName() != null ? Text.printable(ref.getFieldName()) : "[" + ref.getIndex() + "]")
                .collect(Collectors.joining("."))
                .replace(".[", "[");
    }
}
