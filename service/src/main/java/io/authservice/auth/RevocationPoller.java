package io.authservice.auth;

import io.authservice.db.ApiKeyDAO;
import io.authservice.db.ChangeLog;
import io.authservice.db.ChangeLogPoller;
import io.authservice.db.JdbiChangeLog;
import org.jdbi.v3.core.Jdbi;

import java.time.Clock;
import java.time.Duration;
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
        super("API key", new JdbiChangeLog<>(jdbi, ApiKeyDAO.class, row -> new ChangeLog.Change<>(row.id(), row.keyHash())),
                cache::invalidate, interval, gapLifetime, clock, executor);
    }
}
