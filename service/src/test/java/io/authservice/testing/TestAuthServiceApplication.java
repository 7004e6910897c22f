package io.authservice.testing;

import io.authservice.AuthServiceApplication;
import io.authservice.AuthServiceConfiguration;
import io.authservice.audit.AuditLog;
import io.authservice.audit.AuditStore;
import io.authservice.core.Caller;
import io.authservice.core.Scopes;
import io.dropwizard.auth.Auth;
import io.dropwizard.core.setup.Environment;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import java.time.Clock;
import java.util.Map;

/**
 * The real service with a recording audit seam (in front of the configured sink) and a clock tests can move, plus one endpoint that needs the {@code audit:read}
 * scope (which keys don't get by default), to exercise the 403 path.
 */
public class TestAuthServiceApplication extends AuthServiceApplication {
    private final RecordingAuditLog audit = new RecordingAuditLog();
    private final TestClock clock = TestClock.fromSystem();

    public RecordingAuditLog audit() {
        return audit;
    }

    /** The service's clock: the system clock until a test advances it (see {@link TestClock#fromSystem()}). */
    public TestClock testClock() {
        return clock;
    }

    @Override
    protected Clock clock() {
        return clock;
    }

    /**
     * Hands every event to the configured sink and records it for the test to read, unless the sink
     * refused it (reject mode).
     */
    @Override
    protected AuditLog auditLog(AuthServiceConfiguration config, Environment environment, AuditStore store) {
        final AuditLog configured = super.auditLog(config, environment, store);
        return event -> {
            configured.record(event);
            audit.record(event);
        };
    }

    @Override
    public void run(AuthServiceConfiguration config, Environment environment) {
        super.run(config, environment);
        environment.jersey().register(new ScopedResource());
    }

    /** Answers only keys holding {@code audit:read}. */
    @Path("/test/scoped")
    @Produces(MediaType.APPLICATION_JSON)
    public static final class ScopedResource {
        @GET
        @RolesAllowed(Scopes.AUDIT_READ)
        public Map<String, String> get(@Auth Caller caller) {
            return Map.of("caller", caller.getName());
        }
    }
}
