package io.authservice.core;

import org.junit.jupiter.api.Test;

import java.io.StringReader;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DirectoryCsvTest {

    @Test
    void readsDjangoStyleUsers() {
        final List<NewUser> users = DirectoryCsv.users(new StringReader("""
                username,email,first_name,last_name,is_active,date_joined,roles,password
                alice,alice@example.com,Alice,Archer,True,2024-01-15 10:30:00.123456+00:00,"agent;admin",pbkdf2_sha256$x
                bob,bob@example.com,Bob,Baker,f,2024-02-01T08:00:00Z,,
                carol,,Carol,,1,,viewer,
                dave,dave@example.com,Dave,Diaz,0,2024-03-01 12:00:00,,
                """));

        assertThat(users).hasSize(4);
        final NewUser alice = users.get(0);
        assertThat(alice.line()).isEqualTo(2);
        assertThat(alice.username()).isEqualTo("alice");
        assertThat(alice.email()).isEqualTo("alice@example.com");
        assertThat(alice.firstName()).isEqualTo("Alice");
        assertThat(alice.lastName()).isEqualTo("Archer");
        assertThat(alice.active()).isTrue();
        assertThat(alice.dateJoined()).isEqualTo(Instant.parse("2024-01-15T10:30:00.123456Z"));
        assertThat(alice.roles()).containsExactly("admin", "agent");
        assertThat(users.get(1).active()).isFalse();
        assertThat(users.get(1).dateJoined()).isEqualTo(Instant.parse("2024-02-01T08:00:00Z"));
        assertThat(users.get(1).roles()).isEmpty();
        assertThat(users.get(2).active()).isTrue();
        assertThat(users.get(2).dateJoined()).isNull();
        assertThat(users.get(2).email()).isEmpty();
        assertThat(users.get(2).roles()).containsExactly("viewer");
        assertThat(users.get(3).active()).isFalse();
        assertThat(users.get(3).dateJoined()).isEqualTo(Instant.parse("2024-03-01T12:00:00Z"));
    }

    @Test
    void rolesAreSemicolonSeparatedAndACommaIsRefused() {
        assertThatThrownBy(() -> DirectoryCsv.users(new StringReader("""
                username,email,first_name,last_name,roles
                alice,a@example.com,A,A,"admin,agent"
                """)))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("line 2: 'roles'");
    }

    @Test
    void namesTheLineOfABadBooleanOrTimestamp() {
        assertThatThrownBy(() -> DirectoryCsv.users(new StringReader("""
                username,email,first_name,last_name,is_active
                alice,a@example.com,A,A,True
                bob,b@example.com,B,B,maybe
                """)))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageStartingWith("line 3: not a boolean: 'maybe'");
        assertThatThrownBy(() -> DirectoryCsv.users(new StringReader("""
                username,email,first_name,last_name,date_joined
                alice,a@example.com,A,A,yesterday
                """)))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageStartingWith("line 2: not a timestamp");
    }

    @Test
    void requiresTheHeaderColumns() {
        assertThatThrownBy(() -> DirectoryCsv.users(new StringReader("""
                user,email,first_name,last_name
                alice,a@example.com,A,A
                """)))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("'username'");
        assertThatThrownBy(() -> DirectoryCsv.employees(new StringReader("""
                employee_number,first_name,last_name
                E1,A,A
                """)))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("'email'");
    }

    @Test
    void readsEmployeesLinkedByIdOrUsername() {
        final List<NewEmployee> employees = DirectoryCsv.employees(new StringReader("""
                employee_number,first_name,last_name,email,department,job_title,is_active,user_id,username
                E-001,Alice,Archer,alice@example.com,IT,Engineer,t,7,
                E-002,Bob,Baker,bob@example.com,HR,,False,,bob
                E-003,Carol,Cole,carol@example.com,,,,,
                """));

        assertThat(employees).hasSize(3);
        final NewEmployee first = employees.get(0);
        assertThat(first.line()).isEqualTo(2);
        assertThat(first.employeeNumber()).isEqualTo("E-001");
        assertThat(first.firstName()).isEqualTo("Alice");
        assertThat(first.lastName()).isEqualTo("Archer");
        assertThat(first.email()).isEqualTo("alice@example.com");
        assertThat(first.department()).isEqualTo("IT");
        assertThat(first.jobTitle()).isEqualTo("Engineer");
        assertThat(first.active()).isTrue();
        assertThat(first.userId()).isEqualTo(7L);
        assertThat(first.username()).isEmpty();
        assertThat(employees.get(1).active()).isFalse();
        assertThat(employees.get(1).userId()).isNull();
        assertThat(employees.get(1).username()).isEqualTo("bob");
        assertThat(employees.get(2).active()).isTrue();
        assertThat(employees.get(2).userId()).isNull();
    }

    @Test
    void refusesAUserIdThatIsNotAPositiveInteger() {
        for (String bad : List.of("0", "-3", "1.5", "abc", "99999999999999999999")) {
            assertThatThrownBy(() -> DirectoryCsv.employees(new StringReader(
                    "employee_number,first_name,last_name,email,user_id\nE1,A,A,a@example.com," + bad + "\n")))
                    .as(bad)
                    .isInstanceOf(InvalidInputException.class)
                    .hasMessageStartingWith("line 2: 'user_id' must be a positive integer");
        }
    }
}
