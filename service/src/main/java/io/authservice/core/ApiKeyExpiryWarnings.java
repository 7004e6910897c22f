package io.authservice.core;

import com.codahale.metrics.Counter;
import com.codahale.metrics.MetricRegistry;
import io.authservice.audit.AuditEvent;
import io.authservice.audit.AuditEventTypes;
import io.authservice.audit.AuditLog;
import io.authservice.db.ApiKeyExpiryDAO;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.List;

/**
 * One {@code api_key.expiring} event a day (UTC) for each active key expiring within the warning
 * period. Every instance runs it; the database decides which one records the day's event for a key
 * (a conditional update of the key's {@code last_expiry_warning_on}), so several instances on one
 * database, and restarts, still give one event a day per key. Metrics:
 * {@code api-keys.expiry-warnings.checks} (runs) and {@code api-keys.expiry-warnings.recorded}.
 */
public final class ApiKeyExpiryWarnings {
    private static final Logger LOG = LoggerFactory.getLogger(ApiKeyExpiryWarnings.class);

    private final Jdbi jdbi;
    private final Clock clock;
    private final Duration warning;
    private final AuditLog audit;
    private final String instanceId;
    private final Counter checks;
    private final Counter recorded;

    public ApiKeyExpiryWarnings(Jdbi jdbi, Clock clock, Duration warning, AuditLog audit, String instanceId,
                                MetricRegistry metrics) {
        this.jdbi = jdbi;
        this.clock = clock;
        this.warning = warning;
        this.audit = audit;
        this.instanceId = instanceId;
        this.checks = metrics.counter("api-keys.expiry-warnings.checks");
        this.recorded = metrics.counter("api-keys.expiry-warnings.recorded");
    }

    /** Records today's warning for every expiring key no instance has warned about today; returns the keys this run warned about. */
    public List<ApiKey> run() {
        final Instant now = clock.instant().truncatedTo(ChronoUnit.MICROS);
        final LocalDate today = LocalDate.ofInstant(now, ZoneOffset.UTC);
        final List<ApiKey> warned = jdbi.withExtension(ApiKeyExpiryDAO.class, dao ->
                dao.expiringBetween(now, now.plus(warning)).stream()
                        .filter(key -> dao.claimWarning(key.id(), today) == 1)
                        .toList());
        for (ApiKey key : warned) {
            audit.record(AuditEvent.builder(AuditEventTypes.API_KEY_EXPIRING, AuditEvent.SUCCESS, now)
                    .key(key.id(), key.name(), key.prefix())
                    .instanceId(instanceId)
                    .build());
        }
        checks.inc();
        recorded.inc(warned.size());
        return warned;
    }

    /** {@link #run()} for a scheduler: a failure is logged, and the next run tries again. */
    public void runQuietly() {
        try {
            final List<ApiKey> warned = run();
            if (!warned.isEmpty()) {
                LOG.info("{} API key(s) expire within {}: ids {}", warned.size(), OperatorDurations.format(warning),
                        warned.stream().map(ApiKey::id).toList());
            }
        } catch (RuntimeException e) {
            LOG.warn("cannot look for expiring API keys; trying again at the next run", e);
        }
    }
}
