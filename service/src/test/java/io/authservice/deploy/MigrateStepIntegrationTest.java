package io.authservice.deploy;

import io.authservice.audit.AuditStore;
import io.authservice.audit.Migrations;
import io.authservice.db.Databases;
import io.authservice.testing.CommandRunner;
import io.authservice.testing.TestApps;
import io.authservice.testing.TestDatabases;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The compose file's one-shot {@code migrate} step, {@code db migrate} on PostgreSQL: it creates the
 * service's tables and the audit store's, and afterwards neither application's own start-up migration
 * (the service's changelog, or the consumer's {@code audit-migrations.xml} alone) finds anything left to
 * do, so either may run with {@code migrateOnStart} on or off beside it.
 */
class MigrateStepIntegrationTest {
    @Test
    void dbMigrateAppliesBothChangelogsOnce() {
        final Path dir = TestApps.tempDir();
        final TestDatabases.Db db = TestDatabases.newPostgres();
        final CommandRunner.Result migrate = CommandRunner.run("db", "migrate",
                TestApps.writeConfig(db, dir, "migrateOnStart: false"));
        assertThat(migrate.succeeded()).as(migrate.stderr()).isTrue();

        final Jdbi jdbi = Databases.configure(Jdbi.create(db.url(), db.user(), db.password()));
        final List<String> tables = jdbi.withHandle(h -> h.createQuery(
                        "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'")
                .mapTo(String.class).list());
        assertThat(tables).contains("api_keys", "api_key_changes", "users", "employees", "refresh_tokens", "audit_events",
                        "audit_dead_letters");
        final int applied = changesets(jdbi);
        assertThat(applied).isPositive();

        Migrations.apply(jdbi, AuditStore.CHANGELOG);
        Databases.migrate(jdbi);
        assertThat(changesets(jdbi)).isEqualTo(applied);
    }

    private static int changesets(Jdbi jdbi) {
        return jdbi.withHandle(h -> h.createQuery("SELECT count(*) FROM databasechangelog").mapTo(Integer.class).one());
    }
}
