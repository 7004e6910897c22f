package io.authservice.health;

import com.codahale.metrics.health.HealthCheck;
import io.authservice.audit.seal.TrailVerification;
import io.authservice.seal.TrailSelfCheck;

import java.util.Optional;

/**
 * Unhealthy when the trail's last self-check found a break (saying how many findings of which kind,
 * never an event's content) or could not run; healthy when it held, and before the first check.
 */
public final class AuditTrailHealthCheck extends HealthCheck {
    private final TrailSelfCheck selfCheck;

    public AuditTrailHealthCheck(TrailSelfCheck selfCheck) {
        this.selfCheck = selfCheck;
    }

    @Override
    protected Result check() {
        final Optional<TrailSelfCheck.Outcome> last = selfCheck.last();
        if (last.isEmpty()) {
            return Result.healthy("the audit trail has not been checked yet");
        }
        final TrailSelfCheck.Outcome outcome = last.get();
        final TrailVerification verification = outcome.verification();
        if (verification == null) {
            return Result.builder().unhealthy().withMessage("the audit trail's check at %s could not run (%s)",
                    outcome.at(), outcome.error()).withDetail("checkedAt", outcome.at().toString()).build();
        }
        final HealthCheck.ResultBuilder result = outcome.ok()
                ? Result.builder().healthy()
                : Result.builder().unhealthy().withMessage("the audit trail's check at %s found a break: %s",
                outcome.at(), TrailSelfCheck.summary(verification));
        return result.withDetail("checkedAt", outcome.at().toString())
                .withDetail("chains", verification.chains())
                .withDetail("digests", verification.digests())
                .withDetail("events", verification.events())
                .withDetail("findings", outcome.findings())
                .build();
    }
}
