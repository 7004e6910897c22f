package io.authservice.auth;

import io.authservice.db.ApiKeyDAO;
import io.authservice.db.ApiKeyDAO.KeyChange;
import io.authservice.db.ChangeLog;
import io.authservice.db.ChangeLogPoller;
import io.authservice.db.InLists;
import org.jdbi.v3.core.Jdbi;

import java.time.Clock;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;

/**
 * Keeps this instance's key cache in step with changes made through any instance: a
 * {@link ChangeLogPoller} over {@code api_key_changes} that drops the changed keys' hashes from the
 * cache, so a deactivated, rotated or deleted key stops working here within about one interval, and
 * requests never query the database for it.
 */
public final class RevocationPoller extends ChangeLogPoller<String> {
    /**
     * @param gapLifetime how long an id missing below the high-water mark is looked for; the cache's
     *                    hard expiry ({@code expireAfterWrite})
     */
    public RevocationPoller(Jdbi jdbi, ApiKeyCache cache, Duration interval, Duration gapLifetime, Clock clock,
                            ScheduledExecutorService executor) {
        super("API key", new KeyChanges(jdbi), cache::invalidate, interval, gapLifetime, clock, executor);
    }

    /** {@code api_key_changes} as a {@link ChangeLog} of key hashes. */
    private record KeyChanges(Jdbi jdbi) implements ChangeLog<String> {
        @Override
        public List<Change<String>> recent(Duration within) {
            return of(jdbi.withExtension(ApiKeyDAO.class, dao -> dao.recentChanges(dao.databaseNow().minus(within))));
        }

        @Override
        public List<Change<String>> after(long after) {
            return of(jdbi.withExtension(ApiKeyDAO.class, dao -> dao.changesAfter(after)));
        }

        @Override
        public List<Change<String>> among(Collection<Long> ids) {
            if (ids.isEmpty()) {
                return List.of();
            }
            return of(jdbi.withExtension(ApiKeyDAO.class, dao -> InLists.select(List.copyOf(ids), dao::changesAmong)));
        }

        @Override
        public void prune(Duration olderThan) {
            jdbi.useExtension(ApiKeyDAO.class, dao -> dao.pruneChanges(dao.databaseNow().minus(olderThan)));
        }

        private static List<Change<String>> of(List<KeyChange> rows) {
            return rows.stream().map(row -> new Change<>(row.id(), row.keyHash())).toList();
        }
    }
}
