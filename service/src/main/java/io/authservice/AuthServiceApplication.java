package io.authservice;

import com.codahale.metrics.Gauge;
import com.codahale.metrics.caffeine.MetricsStatsCounter;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.benmanes.caffeine.cache.Ticker;
import io.authservice.audit.AuditLog;
import io.authservice.audit.AuditRetention;
import io.authservice.audit.AuditStore;
import io.authservice.audit.Backoff;
import io.authservice.audit.EmbeddedH2;
import io.authservice.audit.Slf4jAuditLog;
import io.authservice.audit.seal.SealConfig;
import io.authservice.audit.seal.SealKeys;
import io.authservice.audit.seal.TrailVerifier;
import io.authservice.audittransport.AuditJournal;
import io.authservice.audittransport.AuditShipper;
import io.authservice.audittransport.AuditUnavailableExceptionMapper;
import io.authservice.audittransport.JournaledAuditLog;
import io.authservice.audittransport.KafkaDestination;
import io.authservice.audittransport.StoreDestination;
import io.authservice.auth.ApiKeyAuthFilter;
import io.authservice.auth.ApiKeyAuthenticator;
import io.authservice.auth.ApiKeyCache;
import io.authservice.auth.ApiKeyRateLimiter;
import io.authservice.auth.AuthAuditFilter;
import io.authservice.auth.ClientAddressFilter;
import io.authservice.auth.ClientAddresses;
import io.authservice.auth.CrossSiteRequestFilter;
import io.authservice.auth.CredentialChainFilter;
import io.authservice.auth.JwtAuthFilter;
import io.authservice.auth.JwtAuthenticator;
import io.authservice.auth.JwtKeys;
import io.authservice.auth.JwtTokens;
import io.authservice.auth.KeyFingerprints;
import io.authservice.auth.SignInService;
import io.authservice.auth.FailedAttemptThrottle;
import io.authservice.auth.JsonUnauthorizedHandler;
import io.authservice.auth.LastUsedRecorder;
import io.authservice.auth.RateLimitHeadersFilter;
import io.authservice.auth.RefreshTokenPruner;
import io.authservice.auth.RevocationPoller;
import io.authservice.auth.ScopeAuthorizer;
import io.authservice.cli.ApiKeyCommands;
import io.authservice.cli.AuditCommand;
import io.authservice.cli.CommandSetup;
import io.authservice.cli.DirectoryCommands;
import io.authservice.cli.PurgeAuditEventsCommand;
import io.authservice.cli.SeedDemoCommand;
import io.authservice.cli.VerifyAuditTrailCommand;
import io.authservice.config.ApiKeyConfig;
import io.authservice.console.PagesBundle;
import io.authservice.config.AuditConfig;
import io.authservice.config.AuditJournalConfig;
import io.authservice.config.ClientAddressConfig;
import io.authservice.config.SecretFiles;
import io.authservice.config.JwtConfig;
import io.authservice.config.ThrottleConfig;
import io.authservice.core.ApiKeyExpiryWarnings;
import io.authservice.core.Caller;
import io.authservice.core.LeakedKeys;
import io.authservice.core.ObjectMappers;
import io.authservice.db.ApiKeyDAO;
import io.authservice.db.Databases;
import io.authservice.directory.Directory;
import io.authservice.health.AuditJournalHealthCheck;
import io.authservice.health.AuditTrailHealthCheck;
import io.authservice.health.ChangeLogHealthCheck;
import io.authservice.observability.PrometheusEndpoint;
import io.authservice.observability.RedactingRequestLog;
import io.authservice.observability.RequestIdFilter;
import io.authservice.resources.AuditKeysResource;
import io.authservice.resources.AuditResource;
import io.authservice.resources.AuditVerificationResource;
import io.authservice.resources.AuditStatsResource;
import io.authservice.auditquery.AuditTimeseries;
import io.authservice.auditquery.AuditBreakdowns;
import io.authservice.resources.InternalEmployeeResource;
import io.authservice.resources.InternalUserResource;
import io.authservice.resources.JwksResource;
import io.authservice.resources.KeysResource;
import io.authservice.resources.LeakedKeyResource;
import io.authservice.resources.RequestRefusedExceptionMapper;
import io.authservice.resources.OpenApiResource;
import io.authservice.resources.PingResource;
import io.authservice.resources.TokenResource;
import io.authservice.resources.UserResource;
import io.authservice.resources.UsersInfoResource;
import io.authservice.resources.WhoAmIResource;
import io.authservice.seal.AuditSeals;
import io.authservice.seal.TrailSelfCheck;
import io.authservice.tasks.AdminTokenFilter;
import io.authservice.tasks.AdminTokens;
import io.authservice.tasks.ApiKeyTasks;
import io.authservice.tasks.AuditTasks;
import io.authservice.alerts.ServiceAlerts;
import io.authservice.tasks.DirectoryTasks;
import io.dropwizard.auth.AuthDynamicFeature;
import io.dropwizard.auth.AuthValueFactoryProvider;
import io.dropwizard.configuration.DefaultConfigurationFactoryFactory;
import io.dropwizard.configuration.EnvironmentVariableSubstitutor;
import io.dropwizard.configuration.SubstitutingSourceProvider;
import io.dropwizard.core.Application;
import io.dropwizard.core.setup.Bootstrap;
import io.dropwizard.core.setup.Environment;
import io.dropwizard.db.DataSourceFactory;
import io.dropwizard.jdbi3.JdbiFactory;
import io.dropwizard.migrations.MigrationsBundle;
import jakarta.servlet.DispatcherType;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.glassfish.jersey.server.filter.RolesAllowedDynamicFeature;
import org.jdbi.v3.core.Jdbi;

import java.io.PrintStream;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.TimeUnit;

/**
 * The Auth Service: API keys for services, checked on every request from an in-process cache;
 * JWTs for people, signed and checked without a database query; every use and failed attempt
 * handed to the audit trail.
 */
public class AuthServiceApplication extends Application<AuthServiceConfiguration> {
    /**
     * How long an attempt waits when its throttle's limit is held only by attempts still being
     * checked (a burst of good keys from one address passes after a moment instead of getting 429).
     */
    private static final Duration THROTTLE_SETTLE_WAIT = Duration.ofSeconds(1);
    private static final Duration SHIPPER_BACKOFF_INITIAL = Duration.ofMillis(100);
    private static final Duration SHIPPER_BACKOFF_MAX = Duration.ofSeconds(5);

    private final PrintStream commandOutput;
    private final boolean ownsProcess;

    public AuthServiceApplication() {
        this(System.out);
    }

    /** @param commandOutput where the operator commands print their answers (stdout outside tests) */
    public AuthServiceApplication(PrintStream commandOutput) {
        this(commandOutput, false);
    }

    /** @param ownsProcess the application is the process (the jar's main): it takes SIGTERM for its graceful stop */
    private AuthServiceApplication(PrintStream commandOutput, boolean ownsProcess) {
        this.commandOutput = commandOutput;
        this.ownsProcess = ownsProcess;
    }

    public static void main(String[] args) throws Exception {
        new AuthServiceApplication(System.out, true).run(args);
    }

    @Override
    public String getName() {
        return "auth-service";
    }

    @Override
    public void initialize(Bootstrap<AuthServiceConfiguration> bootstrap) {
        // before anything opens H2: the TCP server of AUTO_SERVER (commands share the file through it) on loopback only
        EmbeddedH2.bindServersToLoopback();
        // ${AUTH_DB_URL:-default} in config.yml: one file for the embedded default and production
        bootstrap.setConfigurationSourceProvider(new SubstitutingSourceProvider(
                bootstrap.getConfigurationSourceProvider(), new EnvironmentVariableSubstitutor(false)));
        // request bodies, tasks and commands: strict JSON; config.yml and -Ddw. overrides: Dropwizard's usual reading
        ObjectMappers.configure(bootstrap.getObjectMapper());
        bootstrap.setConfigurationFactoryFactory(new DefaultConfigurationFactoryFactory<>() {
            @Override
            protected ObjectMapper configureObjectMapper(ObjectMapper copy) {
                return super.configureObjectMapper(ObjectMappers.forConfiguration(copy));
            }
        });
        bootstrap.addBundle(new MigrationsBundle<>() {
            @Override
            public DataSourceFactory getDataSourceFactory(AuthServiceConfiguration configuration) {
                return Databases.prepare(configuration.getDatabase());
            }
        });
        // the security team's console at /console/ (static pages of the JSON API, strict CSP)
        bootstrap.addBundle(PagesBundle.console());
        bootstrap.addBundle(PagesBundle.apiDocs());
        // the commands build their objects as the server does (ServiceGraph), on the application's clock
        final CommandSetup commands = new CommandSetup(commandOutput, clock());
        ApiKeyCommands.all(commands).forEach(bootstrap::addCommand);
        DirectoryCommands.all(commands, System.in, System::getenv).forEach(bootstrap::addCommand);
        bootstrap.addCommand(new AuditCommand(commands));
        bootstrap.addCommand(new PurgeAuditEventsCommand(commands));
        bootstrap.addCommand(new VerifyAuditTrailCommand(commands));
        bootstrap.addCommand(new SeedDemoCommand(commands));
    }

    @Override
    public void run(AuthServiceConfiguration config, Environment environment) {
        final Clock clock = clock();
        final SecureRandom random = new SecureRandom();
        final ApiKeyConfig keyConfig = config.getApiKeys();

        // the request log, as configured, never sees a credential in a URL or a credential header
        RedactingRequestLog.install(config.getServerFactory());
        // every request gets an id (response header, logs, audit events) before anything else sees it
        environment.servlets().addFilter("request-id", new RequestIdFilter())
                .addMappingForUrlPatterns(EnumSet.of(DispatcherType.REQUEST), false, "/*");
        PrometheusEndpoint.register(environment.metrics(), environment.admin());

        // a SIGTERM stops the server before the JVM's shutdown hooks run (H2's would close the database under it)
        if (ownsProcess) {
            environment.lifecycle().addServerLifecycleListener(StopOnSignal::install);
        }

        // the objects the server shares with the commands: storage (migrated if so configured), the
        // audit seam (each event journaled before its answer is written, then shipped where
        // config.audit.sink names; in reject mode a request whose event is refused gets 503), the services
        final Jdbi jdbi = Databases.configure(new JdbiFactory().build(environment, Databases.prepare(config.getDatabase()), "database"));
        final ServiceGraph graph = ServiceGraph.build(config, jdbi, clock, environment.metrics(),
                environment.getObjectMapper(), random, store -> auditLog(config, environment, store));
        final AuditLog audit = graph.audit();
        final String instanceId = graph.instanceId();
        environment.jersey().register(new AuditUnavailableExceptionMapper());
        // retention: the purge task always; the daily purge where this process writes the store
        final AuditConfig auditConfig = config.getAudit();
        if (auditConfig.getSink() == AuditConfig.Sink.direct) {
            environment.lifecycle().manage(new AuditRetention(graph.auditPurger(), auditConfig.getRetentionDays(), clock,
                    environment.lifecycle().scheduledExecutorService("audit-retention").build(),
                    auditConfig.getRetentionCheckInterval().toJavaDuration()));
        }
        final KeyFingerprints fingerprints = new KeyFingerprints(SecretFiles.resolve(auditConfig.getFingerprintSecret(),
                auditConfig.getFingerprintSecretFile(), random, "audit fingerprint secret"));

        // API key lookup
        final ApiKeyCache cache = new ApiKeyCache(
                hash -> jdbi.withExtension(ApiKeyDAO.class, dao -> dao.findByHash(hash)),
                keyConfig.getCache(), Ticker.systemTicker(), ForkJoinPool.commonPool(),
                () -> new MetricsStatsCounter(environment.metrics(), "api-key-cache"));
        environment.metrics().register("api-key-cache.size", (Gauge<Long>) cache::estimatedSize);
        final RevocationPoller poller = new RevocationPoller(jdbi, cache,
                keyConfig.getRevocationPollInterval().toJavaDuration(), keyConfig.getCache().getExpireAfterWrite().toJavaDuration(),
                clock, environment.lifecycle().scheduledExecutorService("api-key-revocation-poller").build());
        environment.lifecycle().manage(poller);
        final LastUsedRecorder lastUsed = new LastUsedRecorder(jdbi, keyConfig.getLastUsedFlushInterval().toJavaDuration(),
                environment.lifecycle().scheduledExecutorService("api-key-last-used").build());
        environment.lifecycle().manage(lastUsed);
        // one api_key.expiring event a day per key expiring soon, whichever instance claims the day first
        final ApiKeyExpiryWarnings expiryWarnings = new ApiKeyExpiryWarnings(jdbi, clock,
                keyConfig.getExpiryWarning().toJavaDuration(), audit, instanceId, environment.metrics());
        final Duration expiryCheck = keyConfig.getExpiryWarningCheckInterval().toJavaDuration();
        environment.lifecycle().scheduledExecutorService("api-key-expiry-warnings").build().scheduleWithFixedDelay(
                expiryWarnings::runQuietly, Math.min(expiryCheck.toMillis(), 60_000), expiryCheck.toMillis(), TimeUnit.MILLISECONDS);

        // the directory endpoints' users and employees: from memory, kept in step like the keys (directory.cached)
        final Directory directory = Directory.create(config.getDirectory(), graph.users(), graph.employees(), jdbi,
                keyConfig.getRevocationPollInterval().toJavaDuration(), clock, Ticker.systemTicker(),
                ForkJoinPool.commonPool(), environment.lifecycle().scheduledExecutorService("directory-poller").build(),
                environment.metrics());
        directory.poller().ifPresent(directoryPoller -> {
            environment.lifecycle().manage(directoryPoller);
            environment.healthChecks().register("directory-cache", ChangeLogHealthCheck.directory(directoryPoller));
        });

        // authentication: X-API-Key, scopes as roles, one audit event per attempt
        final ThrottleConfig throttleConfig = config.getThrottle();
        final FailedAttemptThrottle throttle = new FailedAttemptThrottle(throttleConfig.getMaxFailures(),
                throttleConfig.getWindow().toJavaDuration(), throttleConfig.getMaximumTrackedAddresses(),
                THROTTLE_SETTLE_WAIT, Ticker.systemTicker());
        final ClientAddressConfig clientAddress = config.getClientAddress();
        environment.servlets().addFilter("client-address", new ClientAddressFilter(
                        new ClientAddresses(clientAddress.getTrustedProxies(), clientAddress.getIpv6ThrottlePrefix())))
                .addMappingForUrlPatterns(EnumSet.of(DispatcherType.REQUEST), true, "/*");
        final ApiKeyAuthFilter apiKeyFilter = new ApiKeyAuthFilter.Builder()
                .setKeyAuthenticator(new ApiKeyAuthenticator(cache, lastUsed, throttle,
                        new ApiKeyRateLimiter(keyConfig.getInstances(), keyConfig.getMaximumRateLimitedKeys(),
                                Ticker.systemTicker()), fingerprints, clock))
                .setAuthorizer(new ScopeAuthorizer())
                .setUnauthorizedHandler(new JsonUnauthorizedHandler())
                .setPrefix(ApiKeyAuthFilter.SCHEME)
                .setRealm(getName())
                .buildAuthFilter();

        // people: JWTs signed with the configured (or generated) key, checked without a database query
        final JwtConfig jwt = config.getJwt();
        final JwtKeys jwtKeys = JwtKeys.load(jwt, random);
        final JwtTokens tokens = new JwtTokens(jwtKeys, jwt.getIssuer(), jwt.getAudience(),
                jwt.getAccessTokenLifetime().toJavaDuration(), jwt.getRefreshTokenLifetime().toJavaDuration(),
                jwt.getClockSkew().toJavaDuration(), clock, jwt.getVerifiedTokenCacheSize());
        final JwtAuthFilter jwtFilter = new JwtAuthFilter.Builder()
                .setCookieName(jwt.getCookies().getAccessName())
                .setTokenAuthenticator(new JwtAuthenticator(tokens, environment.metrics()))
                .setAuthorizer(new ScopeAuthorizer())
                .setUnauthorizedHandler(new JsonUnauthorizedHandler())
                .setPrefix(JwtAuthFilter.SCHEME)
                .setRealm(getName())
                .buildAuthFilter();
        final SignInService signIns = new SignInService(jdbi, tokens, graph.passwords(), loginThrottles(jwt), audit, clock,
                instanceId);
        // the token cookies act for a person: no other site may use them to change anything
        environment.jersey().register(new CrossSiteRequestFilter(
                List.of(jwt.getCookies().getAccessName(), jwt.getCookies().getRefreshName()), jwt.getCookies().getAllowedOrigins()));
        final RefreshTokenPruner pruner = new RefreshTokenPruner(jdbi, clock, jwt.getClockSkew().toJavaDuration(),
                environment.metrics());
        environment.lifecycle().scheduledExecutorService("refresh-token-pruner").build()
                .scheduleWithFixedDelay(pruner::pruneQuietly, 1, 60, TimeUnit.MINUTES);

        // the chain: the API key first, then the access token; a presented bad credential never falls through
        environment.jersey().register(new AuthDynamicFeature(new CredentialChainFilter(apiKeyFilter, jwtFilter)));
        environment.jersey().register(RolesAllowedDynamicFeature.class);
        environment.jersey().register(new AuthValueFactoryProvider.Binder<>(Caller.class));
        environment.jersey().register(new AuthAuditFilter(audit, clock, instanceId, environment.metrics()));
        environment.jersey().register(new RateLimitHeadersFilter());

        // endpoints
        environment.jersey().register(new PingResource());
        environment.jersey().register(new WhoAmIResource());
        environment.jersey().register(new InternalUserResource(directory.users()));
        environment.jersey().register(new InternalEmployeeResource(directory.employees()));
        environment.jersey().register(new UsersInfoResource(directory.users()));
        environment.jersey().register(new UserResource(graph.users()));
        environment.jersey().register(new TokenResource(signIns, environment.getObjectMapper(), jwt));
        environment.jersey().register(new JwksResource(jwtKeys));
        environment.jersey().register(new AuditKeysResource(SealKeys.trusted(config.getAudit().getSeal())));
        final TrailVerifier trailVerifier = AuditSeals.verifier(jdbi, config);
        environment.jersey().register(new AuditVerificationResource(trailVerifier));
        environment.jersey().register(new AuditResource(graph.auditSearch(), graph.auditExport(), clock));
        environment.jersey().register(new KeysResource(graph.apiKeys(), clock, environment.getObjectMapper()));
        final LeakedKeys leakedKeys = new LeakedKeys(jdbi, graph.apiKeys(), fingerprints::of, clock, audit, instanceId);
        environment.jersey().register(new LeakedKeyResource(leakedKeys, environment.getObjectMapper()));
        environment.jersey().register(new AuditStatsResource(new AuditTimeseries(graph.jdbi()),
                new AuditBreakdowns(graph.jdbi()), clock));
        environment.jersey().register(OpenApiResource.load());
        environment.jersey().register(new RequestRefusedExceptionMapper());
        // what Jetty answers itself (e.g. 431 for an over-long header) in the same JSON error shape
        environment.lifecycle().addServerLifecycleListener(server -> server.setErrorHandler(new JsonErrorHandler()));

        // admin port: every task needs the admin token (health checks and metrics, /prometheus included, do not)
        environment.admin().addFilter("admin-token", new AdminTokenFilter(AdminTokens.resolve(config.getAdminAccess(), random)))
                .addMappingForUrlPatterns(EnumSet.of(DispatcherType.REQUEST), true, "/tasks/*");
        ApiKeyTasks.all(graph.apiKeys(), graph.apiKeyReports(), cache, keyConfig.getDefaultRotationGrace().toJavaDuration(),
                environment.getObjectMapper()).forEach(environment.admin()::addTask);
        environment.admin().addTask(ApiKeyTasks.reportLeaked(leakedKeys, environment.getObjectMapper()));
        DirectoryTasks.all(graph.users(), graph.employees(), graph.directoryReports(), environment.getObjectMapper())
                .forEach(environment.admin()::addTask);
        // the trail's self-check: daily (audit.seal.selfCheckInterval) on every instance, its metrics, event and health check
        final SealConfig seal = auditConfig.getSeal();
        final TrailSelfCheck selfCheck = new TrailSelfCheck(trailVerifier, audit, clock,
                environment.lifecycle().scheduledExecutorService("audit-trail-self-check").build(),
                seal.getSelfCheckInterval().toJavaDuration(), seal.getSelfCheckFirstDelay().toJavaDuration(),
                environment.metrics(), instanceId);
        environment.lifecycle().manage(selfCheck);
        environment.healthChecks().register("audit-trail", new AuditTrailHealthCheck(selfCheck));
        AuditTasks.all(graph.auditPurges(), selfCheck, environment.getObjectMapper())
                .forEach(environment.admin()::addTask);
        // alerts raised by the rules (here or in an audit-consumer) are delivered from the outbox by every instance
        ServiceAlerts.register(config.getAlerts(), graph.alerting().outbox(), jdbi, clock, instanceId, environment,
                environment.getObjectMapper());
        environment.healthChecks().register("api-key-cache", ChangeLogHealthCheck.keys(poller, cache));
    }

    /**
     * The sign-in throttles. A sign-in waits for others still being checked at most as long as it
     * would wait for a password-check turn, and a little more.
     */
    private static SignInService.Throttles loginThrottles(JwtConfig jwt) {
        final JwtConfig.LoginThrottleConfig limits = jwt.getLoginThrottle();
        final Duration window = limits.getWindow().toJavaDuration();
        final Duration settleWait = jwt.getPasswordHashing().getMaxWait().toJavaDuration().plus(THROTTLE_SETTLE_WAIT);
        return new SignInService.Throttles(
                new FailedAttemptThrottle(limits.getMaxFailuresPerAccountAndAddress(), window, limits.getMaximumTracked(),
                        settleWait, Ticker.systemTicker()),
                new FailedAttemptThrottle(limits.getMaxFailuresPerAccount(), window, limits.getMaximumTracked(),
                        settleWait, Ticker.systemTicker()),
                new FailedAttemptThrottle(limits.getMaxFailuresPerAddress(), window, limits.getMaximumTracked(),
                        settleWait, Ticker.systemTicker()));
    }

    /** The clock for everything that depends on time. Tests override this to move time. */
    protected Clock clock() {
        return Clock.systemUTC();
    }

    /**
     * The server's audit seam: for {@code direct} and {@code kafka}, the journal (opened here) in front of a
     * managed shipper into {@code store} or into Kafka, with its health
     * check {@code audit-journal}; for {@code log}, the audit logger. Tests override this to look at
     * what was recorded.
     */
    protected AuditLog auditLog(AuthServiceConfiguration config, Environment environment, AuditStore store) {
        final AuditConfig audit = config.getAudit();
        if (audit.getSink() == AuditConfig.Sink.log) {
            return new Slf4jAuditLog();
        }
        final AuditJournalConfig journalConfig = audit.getJournal();
        final AuditJournal journal = AuditJournal.open(new AuditJournal.Settings(journalConfig.getDirectory(),
                journalConfig.getSegmentSize().toBytes(), journalConfig.getMaxSize().toBytes(),
                journalConfig.getSyncInterval().toJavaDuration()), clock(), environment.metrics());
        final String instanceId = InstanceIds.of(config);
        final AuditShipper.Destination destination = switch (audit.getSink()) {
            case kafka -> new KafkaDestination(new KafkaProducer<>(
                    KafkaDestination.producerProperties(audit.getKafka(), "auth-service-" + instanceId)), audit.getKafka());
            case direct -> new StoreDestination(store, instanceId, clock());
            case log -> throw new IllegalStateException("the log sink has no journal");
        };
        final AuditShipper shipper = new AuditShipper(journal, destination, audit.getBatchSize(), audit.getLinger().toJavaDuration(),
                audit.getShutdownTimeout().toJavaDuration(), new Backoff(SHIPPER_BACKOFF_INITIAL, SHIPPER_BACKOFF_MAX),
                clock(), environment.metrics());
        environment.lifecycle().manage(shipper);
        environment.healthChecks().register("audit-journal", new AuditJournalHealthCheck(journal, shipper,
                journalConfig.getBacklogHealthThreshold().toJavaDuration()));
        return new JournaledAuditLog(journal, audit.getFailureMode(), environment.metrics());
    }
}
