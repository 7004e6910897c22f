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

import static org.assertj.core.api.Assertions.as;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.InstanceOfAssertFactories.STRING;

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

    @Test
    void onPostgresTheUserAndFingerprintIndexesHoldOnlyRowsThatHaveOneAndServeSearchesByThem() {
        final TestDatabases.Db db = TestDatabases.newPostgres();
        final Jdbi jdbi = Databases.configure(Jdbi.create(db.url(), db.user(), db.password()));
        Databases.migrate(jdbi);
        final List<String> indexes = jdbi.withHandle(h -> h.createQuery(
                        "SELECT indexdef FROM pg_indexes WHERE tablename = 'audit_events' ORDER BY indexname")
                .mapTo(String.class).list());
        assertThat(indexes).filteredOn(d -> d.contains("(user_id, occurred_at)")).singleElement(as(STRING))
                .endsWith("WHERE (user_id IS NOT NULL)");
        assertThat(indexes).filteredOn(d -> d.contains("(fingerprint, occurred_at)")).singleElement(as(STRING))
                .endsWith("WHERE (fingerprint IS NOT NULL)");
        final String plan = jdbi.withHandle(h -> {
            h.execute("SET enable_seqscan = off");
            return String.join("\n", h.createQuery("EXPLAIN SELECT id FROM audit_events WHERE user_id = :u"
                    + " AND occurred_at > now() - interval '1 day'").bind("u", 7L).mapTo(String.class).list());
        });
        assertThat(plan).contains("ix_audit_events_user_id_set");
    }

    private static int changesets(Jdbi jdbi) {
        return jdbi.withHandle(h -> h.createQuery("SELECT count(*) FROM databasechangelog").mapTo(Integer.class).one());
    }
}
