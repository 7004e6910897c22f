package io.authservice.db;

import org.jdbi.v3.core.Jdbi;

import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.function.Function;

/**
 * A change log table as a {@link ChangeLog}, read through its {@link ChangeLogDAO}: times are the
 * database's, and ids are asked {@value InLists#MAX} at a time.
 *
 * @param table  the table's DAO
 * @param change what a row says changed
 */
public record JdbiChangeLog<R, S>(Jdbi jdbi, Class<? extends ChangeLogDAO<R>> table, Function<R, Change<S>> change)
        implements ChangeLog<S> {
    @Override
    public List<Change<S>> recent(Duration within) {
        return of(jdbi.withExtension(table, dao -> dao.recentChanges(dao.databaseNow().minus(within))));
    }

    @Override
    public List<Change<S>> after(long after) {
        return of(jdbi.withExtension(table, dao -> dao.changesAfter(after)));
    }

    @Override
    public List<Change<S>> among(Collection<Long> ids) {
        if (ids.isEmpty()) {
            return List.of();
        }
        return of(jdbi.withExtension(table, dao -> InLists.select(List.copyOf(ids), dao::changesAmong)));
    }

    @Override
    public void prune(Duration olderThan) {
        jdbi.useExtension(table, dao -> dao.pruneChanges(dao.databaseNow().minus(olderThan)));
    }

    private List<Change<S>> of(List<R> rows) {
        return rows.stream().map(change).toList();
    }
}
