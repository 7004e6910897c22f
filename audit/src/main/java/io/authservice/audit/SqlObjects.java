package io.authservice.audit;

import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.extension.ExtensionFactory;
import org.jdbi.v3.core.extension.Extensions;
import org.jdbi.v3.sqlobject.SqlObjectFactory;
import org.jdbi.v3.sqlobject.SqlObjectPlugin;

/**
 * Prepares SqlObject DAOs once per {@link Jdbi} instead of once per handle.
 *
 * <p>Jdbi caches what it learns of a DAO interface (its {@code ExtensionMetadata}) in the
 * configuration where it was first needed. Every handle starts from a copy of the Jdbi's
 * configuration, so a DAO first attached inside a handle is worked out again in every later
 * handle: about 0.2 ms of reflection for a ten-method DAO on each {@code withExtension} or
 * {@code attach}, which a per-request lookup or a per-batch write pays every time. Working it out
 * on the Jdbi itself puts it in the configuration that every handle copies.
 */
public final class SqlObjects {
    private SqlObjects() {
    }

    /**
     * Installs the SqlObject plugin (if it is not yet) and works out each DAO's metadata on the Jdbi.
     *
     * @return {@code jdbi}
     */
    public static Jdbi prepare(Jdbi jdbi, Class<?>... daos) {
        final Extensions extensions = jdbi.getConfig(Extensions.class);
        if (extensions.findFactory(SqlObjectFactory.class).isEmpty()) {
            jdbi.installPlugin(new SqlObjectPlugin());
        }
        final ExtensionFactory factory = extensions.findFactory(SqlObjectFactory.class)
                .orElseThrow(() -> new IllegalStateException("the SqlObject plugin did not register its factory"));
        for (Class<?> dao : daos) {
            extensions.findMetadata(dao, factory);
        }
        return jdbi;
    }
}
