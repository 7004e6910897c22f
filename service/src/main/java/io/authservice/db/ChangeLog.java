package io.authservice.db;

import java.time.Duration;
import java.util.Collection;
import java.util.List;

/**
 * A change log table read by a {@link ChangeLogPoller}: rows with an id from an identity column,
 * each naming what changed ({@code S}: a key's hash, a person's id), stamped with the database's clock.
 */
public interface ChangeLog<S> {
    /** One row: its id and what it says changed. */
    record Change<S>(long id, S subject) {
    }

    /**
     * In one statement (one snapshot): the rows stamped within {@code within} of the database's
     * clock, and the row with the highest id whenever it was stamped; lowest id first.
     */
    List<Change<S>> recent(Duration within);

    /** The rows with an id above {@code after}, lowest first. */
    List<Change<S>> after(long after);

    /** The rows among these ids that are now visible (committed); any number of ids. */
    List<Change<S>> among(Collection<Long> ids);

    /** Deletes the rows stamped more than {@code olderThan} ago by the database's clock. */
    void prune(Duration olderThan);
}
