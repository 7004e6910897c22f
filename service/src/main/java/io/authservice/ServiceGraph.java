package io.authservice;

import com.codahale.metrics.Gauge;
import com.codahale.metrics.MetricRegistry;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.authservice.audit.AuditLog;
import io.authservice.audit.AuditPurger;
import io.authservice.audit.AuditStore;
import io.authservice.audit.alert.Alerting;
import io.authservice.audit.seal.Sealing;
import io.authservice.seal.AuditSeals;
import io.authservice.auditquery.AuditExport;
import io.authservice.auditquery.AuditPurges;
import io.authservice.auditquery.AuditSearch;
import io.authservice.config.ApiKeyConfig;
import io.authservice.config.JwtConfig;
import io.authservice.core.ApiKeyReports;
import io.authservice.core.ApiKeySecrets;
import io.authservice.core.ApiKeyService;
import io.authservice.core.ConcurrencyLimit;
import io.authservice.core.DirectoryReports;
import io.authservice.core.EmployeeService;
import io.authservice.core.PasswordHasher;
import io.authservice.core.UserService;
import io.authservice.db.Databases;
import org.jdbi.v3.core.Jdbi;

import java.security.SecureRandom;
import java.time.Clock;

/**
 * The service's objects, built once, by hand, from the configuration: the server
 * ({@link AuthServiceApplication#run}) and every command on the jar ({@code cli.CommandContext})
 * take their services from here, so a new dependency is added in one place and the two cannot
 * drift. What only a running server has (Jersey resources, servlet filters, admin tasks, health
 * checks, managed threads, the key cache and the JWT chain) stays in the application, fed from here.
 */
public final class ServiceGraph {
    private final AuthServiceConfiguration config;
    private final Jdbi jdbi;
    private final Clock clock;
    private final ObjectMapper json;
    private final SecureRandom random;
    private final String instanceId;
    private final Alerting alerting;
    private final AuditStore auditStore;
    private final AuditLog audit;
    private final ApiKeyService apiKeys;
    private final ApiKeyReports apiKeyReports;
    private final PasswordHasher passwords;
    private final UserService users;
    private final EmployeeService employees;
    private final DirectoryReports directoryReports;
    private final AuditPurger auditPurger;
    private final AuditPurges auditPurges;
    private final AuditSearch auditSearch;
    private final AuditExport auditExport;

    /**
     * How this process records audit events, given the audit store in its database: the server
     * journals and ships them, a command stores its few at once.
     */
    @FunctionalInterface
    public interface AuditSeam {
        AuditLog open(AuditStore store);
    }

    /**
     * Migrates the database first when {@code migrateOnStart} is set, then builds the graph.
     *
     * @param jdbi    the service's database, configured by {@link Databases#configure}
     * @param clock   the clock for everything that depends on time (the application's, which tests move)
     * @param metrics where the services' own metrics go (the server's registry; a command's throwaway one)
     * @param json    the strict mapper of {@code ObjectMappers.configure}
     */
    public static ServiceGraph build(AuthServiceConfiguration config, Jdbi jdbi, Clock clock, MetricRegistry metrics,
                                     ObjectMapper json, SecureRandom random, AuditSeam auditSeam) {
        if (config.isMigrateOnStart()) {
            Databases.migrate(jdbi);
        }
        return new ServiceGraph(config, jdbi, clock, metrics, json, random, auditSeam);
    }

    private ServiceGraph(AuthServiceConfiguration config, Jdbi jdbi, Clock clock, MetricRegistry metrics,
                         ObjectMapper json, SecureRandom random, AuditSeam auditSeam) {
        this.config = config;
        this.jdbi = jdbi;
        this.clock = clock;
        this.json = json;
        this.random = random;
        this.instanceId = InstanceIds.of(config);

        // the audit trail: the store in this database, the seam in front of it, retention and the query API
        final Sealing sealing = Sealing.of(config.getAudit().getSeal());  // the signing key, loaded once for every chain
        this.alerting = AuditSeals.alerting(jdbi, config, sealing, clock);  // the alert rules on what this process stores
        this.auditStore = AuditSeals.directStore(jdbi, config, sealing, clock, alerting);  // sealed, with the per-minute counts: server and commands alike
        this.audit = auditSeam.open(auditStore);
        this.auditPurger = new AuditPurger(auditStore, sealing.retention(jdbi, clock), clock, metrics,
                AuditPurger.BATCH_SIZE);  // whole sealed batches, with a signed purge record per chain
        this.auditPurges = new AuditPurges(auditPurger, config.getAudit().getRetentionDays());
        this.auditSearch = new AuditSearch(jdbi, clock, config.getApiKeys().getExpiryWarning().toJavaDuration());
        this.auditExport = new AuditExport(auditSearch, json, jdbi);

        // API key lifecycle
        final ApiKeyConfig keys = config.getApiKeys();
        this.apiKeys = new ApiKeyService(jdbi, new ApiKeySecrets(random, keys.getFormat(), keys.getPrefix()), clock, audit,
                keys.getDefaultScopes(), instanceId, new ApiKeyService.Lifetimes(
                        keys.getMaxLifetime() == null ? null : keys.getMaxLifetime().toJavaDuration(),
                        keys.getExpiryWarning().toJavaDuration()));
        this.apiKeyReports = new ApiKeyReports(clock);

        // users and employees
        // a password check holds 19 MiB while it runs: a bounded number at once, the rest wait briefly or get 503
        final JwtConfig.PasswordHashingConfig hashing = config.getJwt().getPasswordHashing();
        final ConcurrencyLimit hashingLimit = new ConcurrencyLimit(hashing.getMaxConcurrent(), hashing.getMaxWait().toJavaDuration(),
                metrics.counter("auth.password-hashing.refused")::inc);
        metrics.register("auth.password-hashing.running", (Gauge<Integer>) hashingLimit::running);
        metrics.register("auth.password-hashing.peak", (Gauge<Integer>) hashingLimit::peak);
        this.passwords = new PasswordHasher(random, PasswordHasher.OWASP, hashingLimit);
        this.users = new UserService(jdbi, passwords, clock, audit, instanceId);
        this.employees = new EmployeeService(jdbi, clock, audit, instanceId);
        this.directoryReports = new DirectoryReports();
    }

    /** The parsed configuration the graph was built from. */
    public AuthServiceConfiguration config() {
        return config;
    }

    public Jdbi jdbi() {
        return jdbi;
    }

    public Clock clock() {
        return clock;
    }

    /** The strict JSON mapper for request bodies, task and command answers and exports. */
    public ObjectMapper json() {
        return json;
    }

    public SecureRandom random() {
        return random;
    }

    /** Names this process in audit events. */
    public String instanceId() {
        return instanceId;
    }

    /** The audit store in the service's database (the {@code direct} sink's destination, the purge's and the query API's source). */
    public AuditStore auditStore() {
        return auditStore;
    }

    /** The alert rules on the direct sink's batches and the outbox they raise into (empty when alerts are off). */
    public Alerting alerting() {
        return alerting;
    }

    /** Where this process records its audit events. */
    public AuditLog audit() {
        return audit;
    }

    public ApiKeyService apiKeys() {
        return apiKeys;
    }

    public ApiKeyReports apiKeyReports() {
        return apiKeyReports;
    }

    /** Hashes and checks passwords, a bounded number at once. */
    public PasswordHasher passwords() {
        return passwords;
    }

    public UserService users() {
        return users;
    }

    public EmployeeService employees() {
        return employees;
    }

    public DirectoryReports directoryReports() {
        return directoryReports;
    }

    /** Deletes audit events and dead letters past an age. */
    public AuditPurger auditPurger() {
        return auditPurger;
    }

    /** The {@code purge-audit-events} task and command: parameters in, report out. */
    public AuditPurges auditPurges() {
        return auditPurges;
    }

    public AuditSearch auditSearch() {
        return auditSearch;
    }

    public AuditExport auditExport() {
        return auditExport;
    }
}
