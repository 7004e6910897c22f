package io.authservice.audit.alert;

import io.authservice.audit.AuditEventDAO;
import io.authservice.audit.AuditMinuteCounts;
import io.authservice.audit.AuditStore;
import io.authservice.audit.Migrations;
import io.authservice.audit.SqlObjects;
import io.authservice.audit.seal.SealKey;
import io.authservice.audit.seal.SealedStores;
import io.authservice.audit.testing.TestPostgres;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.Named;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.time.Clock;
import java.util.List;
import java.util.function.Supplier;
import java.util.stream.Stream;

/** Migrated H2 and PostgreSQL stores for the alert tests, sealed as the applications seal them. */
final class AlertTestStores {
    static final SealKey KEY = SealKey.generate();

    private AlertTestStores() {
    }

    static Stream<Named<Supplier<Jdbi>>> databases() {
        return Stream.of(Named.of("H2", () -> migrated(h2Url())), Named.of("PostgreSQL", () -> migrated(TestPostgres.newDatabase())));
    }

    static Jdbi migrated(String url) {
        final boolean h2 = url.startsWith("jdbc:h2:");
        final Jdbi jdbi = SqlObjects.prepare(Jdbi.create(url, h2 ? "auth" : TestPostgres.USER, h2 ? "" : TestPostgres.PASSWORD),
                AuditEventDAO.class);
        Migrations.apply(jdbi, AuditStore.CHANGELOG);
        return jdbi;
    }

    /** A writer's sealed store (chain {@code direct:<writer>}) with the rules of {@code config}, and its alerting. */
    static Writer writer(Jdbi jdbi, AlertConfig config, String writer, Clock clock) {
        final Alerting alerting = Alerting.of(config, new SealedStores(jdbi, KEY, clock, List.of(new AuditMinuteCounts())), writer, clock);
        final AuditStore store = new SealedStores(jdbi, KEY, clock, alerting.steps()).forChain(SealedStores.directChain(writer));
        return new Writer(store, alerting);
    }

    record Writer(AuditStore store, Alerting alerting) {
        AlertOutbox outbox() {
            return alerting.outbox().orElseThrow();
        }
    }

    private static String h2Url() {
        try {
            return "jdbc:h2:file:" + Files.createTempDirectory("alerts-test").resolve("auth") + ";MODE=PostgreSQL";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
