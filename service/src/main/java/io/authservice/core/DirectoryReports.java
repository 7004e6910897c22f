package io.authservice.core;

import io.authservice.api.EmployeeView;
import io.authservice.api.UserView;


/**
 * Turns user and employee lifecycle outcomes into {@link Report}s, so tasks and commands print the
 * same thing. A report says whether a user has a password, never anything of the password itself.
 */
public final class DirectoryReports {

    public Report userCreated(User user) {
        final String text = "Created user " + describe(user) + (user.roles().isEmpty() ? " with no roles"
                : " with roles " + String.join(",", user.roles()))
                + (user.hasPassword() ? ", with a password." : ", without a password (cannot sign in).");
        return new Report(text, Report.actionJson("created", "user", UserView.of(user), "has_password", user.hasPassword()));
    }

    public Report userRolesSet(User user) {
        final String text = "User " + describe(user) + (user.roles().isEmpty() ? " now has no roles."
                : " now has roles " + String.join(",", user.roles()) + ".");
        return new Report(text, Report.actionJson("roles_set", "user", UserView.of(user)));
    }

    public Report usersImported(Imported<User> result) {
        final String text = "Imported " + result.imported().size() + " user(s) (without passwords); skipped "
                + result.skipped() + " already present.";
        return new Report(text, Report.actionJson("imported", "imported", result.imported().size(), "skipped", result.skipped(),
                "users", result.imported().stream().map(UserView::of).toList()));
    }

    public Report employeeCreated(Employee employee) {
        final String text = "Created employee " + describe(employee)
                + (employee.userId() == null ? ", not linked to a user." : ", linked to user " + employee.userId() + ".");
        return new Report(text, Report.actionJson("created", "employee", EmployeeView.of(employee)));
    }

    public Report employeesImported(Imported<Employee> result) {
        final String text = "Imported " + result.imported().size() + " employee(s); skipped " + result.skipped()
                + " already present.";
        return new Report(text, Report.actionJson("imported", "imported", result.imported().size(), "skipped", result.skipped(),
                "employees", result.imported().stream().map(EmployeeView::of).toList()));
    }

    private static String describe(User user) {
        return user.id() + " '" + Text.printable(user.username()) + "'";
    }

    private static String describe(Employee employee) {
        return employee.id() + " '" + Text.printable(employee.employeeNumber()) + "' ("
                + Text.printable(employee.firstName() + " " + employee.lastName()) + ")";
    }
}
