package io.authservice.audit;

import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.extension.ExtensionFactory;
import org.jdbi.v3.core.extension.ExtensionMetadata;
import org.jdbi.v3.core.extension.Extensions;
import org.jdbi.v3.sqlobject.SqlObjectFactory;
import org.jdbi.v3.sqlobject.SqlObjectPlugin;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class SqlObjectsTest {
    @Test
    void aPreparedDaoIsWorkedOutOnceForEveryHandle() {
        final Jdbi jdbi = SqlObjects.prepare(Jdbi.create("jdbc:h2:mem:sql-objects-" + System.nanoTime()), AuditEventDAO.class);
        final ExtensionMetadata onJdbi = metadata(jdbi.getConfig(Extensions.class));
        try (Handle first = jdbi.open(); Handle second = jdbi.open()) {
            assertThat(metadata(first.getConfig(Extensions.class))).isSameAs(onJdbi);
            assertThat(metadata(second.getConfig(Extensions.class))).isSameAs(onJdbi);
        }
    }

    /** Pins the Jdbi behaviour that {@link SqlObjects} works around; if this fails, it may no longer be needed. */
    @Test
    void withoutItEachHandleWorksTheDaoOutAgain() {
        final Jdbi jdbi = Jdbi.create("jdbc:h2:mem:sql-objects-" + System.nanoTime()).installPlugin(new SqlObjectPlugin());
        try (Handle first = jdbi.open(); Handle second = jdbi.open()) {
            assertThat(metadata(first.getConfig(Extensions.class))).isNotSameAs(metadata(second.getConfig(Extensions.class)));
        }
    }

    @Test
    void itInstallsTheSqlObjectPluginWhereItIsMissing() {
        final Jdbi jdbi = SqlObjects.prepare(Jdbi.create("jdbc:h2:mem:sql-objects-" + System.nanoTime()), AuditEventDAO.class);
        assertThat(jdbi.getConfig(Extensions.class).hasExtensionFor(AuditEventDAO.class)).isTrue();
    }

    private static ExtensionMetadata metadata(Extensions extensions) {
        final ExtensionFactory factory = extensions.findFactory(SqlObjectFactory.class).orElseThrow();
        return extensions.findMetadata(AuditEventDAO.class, factory);
    }
}
