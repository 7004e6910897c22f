package io.authservice.db;

import org.jdbi.v3.sqlobject.config.RegisterConstructorMapper;
import org.jdbi.v3.sqlobject.customizer.Bind;
import org.jdbi.v3.sqlobject.customizer.BindList;
import org.jdbi.v3.sqlobject.statement.SqlBatch;
import org.jdbi.v3.sqlobject.statement.SqlQuery;
import org.jdbi.v3.sqlobject.statement.SqlUpdate;

import java.time.Instant;
import java.util.Collection;
import java.util.List;

/**
 * The directory's change log {@code directory_changes}. Every write to {@code users} or
 * {@code employees} must {@link #recordChanges record its rows} in the same transaction, so that
 * other instances drop them from their directory caches.
 */
@RegisterConstructorMapper(DirectoryChangeDAO.Row.class)
public interface DirectoryChangeDAO extends ChangeLogDAO<DirectoryChangeDAO.Row> {
    String USER = "user";
    String EMPLOYEE = "employee";

    /** One row of the change log: its id, and which user or employee changed. */
    record Row(long id, String kind, long entityId) {
    }

    /** Records that these rows of {@code kind} ({@link #USER} or {@link #EMPLOYEE}) changed. */
    @SqlBatch("INSERT INTO directory_changes (kind, entity_id, changed_at) VALUES (:kind, :entityId, CURRENT_TIMESTAMP)")
    void recordChanges(@Bind("kind") String kind, @Bind("entityId") Collection<Long> entityIds);

    @SqlQuery("SELECT id, kind, entity_id FROM directory_changes WHERE id > :after ORDER BY id")
    List<Row> changesAfter(@Bind("after") long after);

    @SqlQuery("SELECT id, kind, entity_id FROM directory_changes WHERE id IN (<ids>)")
    List<Row> changesAmong(@BindList("ids") Collection<Long> ids);

    /** In one statement: the rows stamped at or after {@code since}, and the row with the highest id. */
    @SqlQuery("SELECT id, kind, entity_id FROM directory_changes WHERE changed_at >= :since "
            + "OR id = (SELECT MAX(id) FROM directory_changes) ORDER BY id")
    List<Row> recentChanges(@Bind("since") Instant since);

    @SqlUpdate("DELETE FROM directory_changes WHERE changed_at < :before")
    int pruneChanges(@Bind("before") Instant before);

    @SqlQuery("SELECT CURRENT_TIMESTAMP")
    Instant databaseNow();
}
