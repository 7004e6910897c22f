package io.authservice.db;

import java.time.Instant;
import java.util.Collection;
import java.util.List;

/**
 * The queries every change log table's DAO answers (each with its own SQL), so that one
 * {@link JdbiChangeLog} reads any of them. {@code R}: the DAO's row type.
 */
public interface ChangeLogDAO<R> {
    /** Change rows with an id above {@code after}, lowest first. */
    List<R> changesAfter(long after);

    /** The change rows among these ids that are now visible (committed). */
    List<R> changesAmong(Collection<Long> ids);

    /** In one statement: the rows stamped at or after {@code since}, and the row with the highest id. */
    List<R> recentChanges(Instant since);

    int pruneChanges(Instant before);

    /** The database's clock, which stamps the change log; instances' own clocks may disagree with it. */
    Instant databaseNow();
}
