package io.authservice.resources;

import io.authservice.api.EmployeeView;
import io.authservice.core.Caller;
import io.authservice.core.Scopes;
import io.authservice.directory.DirectoryLookup;
import io.dropwizard.auth.Auth;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

/** {@code GET /api/v1/hdts/employees/internal/{id}/}: an employee's details for a service holding {@code employees:read}. */
@Path("/api/v1/hdts/employees/internal")
@Produces(MediaType.APPLICATION_JSON)
public final class InternalEmployeeResource {
    private final DirectoryLookup<EmployeeView> employees;

    public InternalEmployeeResource(DirectoryLookup<EmployeeView> employees) {
        this.employees = employees;
    }

    @GET
    @Path("{id}")
    @RolesAllowed(Scopes.EMPLOYEES_READ)
    public EmployeeView get(@Auth Caller caller, @PathParam("id") String id) {
        final long employeeId = Ids.parse(id, "the employee id");
        return employees.find(employeeId)
                .orElseThrow(() -> new NotFoundException("no employee with id " + employeeId));
    }
}
