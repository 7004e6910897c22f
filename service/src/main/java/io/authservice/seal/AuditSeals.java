package io.authservice.seal;

import io.authservice.AuthServiceConfiguration;
import io.authservice.audit.AuditCounts;
import io.authservice.audit.AuditStore;
import io.authservice.audit.alert.Alerting;
import io.authservice.audit.seal.SealKeys;
import io.authservice.audit.seal.Sealing;
import io.authservice.audit.seal.SealedStores;
import io.authservice.audit.seal.TrailVerifier;
import org.jdbi.v3.core.Jdbi;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Clock;

/** The service's side of the sealed trail: the direct sink's sealed store and the trail's verifier. */
public final class AuditSeals {
    private AuditSeals() {
    }

    /**
     * The direct sink's store: sealed (unless {@code audit.seal.enabled} is false) in the chain
     * {@code direct:<instanceId>}, or {@code direct:<host name>} when no instance id is configured, so a
     * restarted instance continues its chain (two processes on one host share it, one batch at a time);
     * {@code alerting}'s steps (counts, rules) run before the seal.
     */
    public static AuditStore directStore(Jdbi jdbi, AuthServiceConfiguration config, Sealing sealing, Clock clock,
                                         Alerting alerting) {
        return sealing.stores(jdbi, clock, alerting.steps()).forChain(SealedStores.directChain(chainName(config)));
    }

    /**
     * The alert rules ({@code alerts}) of the direct sink, raising their alert.raised events into the sealed
     * chain {@code alerts:<instance>}.
     */
    public static Alerting alerting(Jdbi jdbi, AuthServiceConfiguration config, Sealing sealing, Clock clock) {
        return Alerting.of(config.getAlerts(), sealing.stores(jdbi, clock, AuditCounts.steps()), chainName(config), clock);
    }

    /** The verifier of the trail in {@code jdbi}'s store, trusting the keys {@code audit.seal} names. */
    public static TrailVerifier verifier(Jdbi jdbi, AuthServiceConfiguration config) {
        return new TrailVerifier(jdbi, SealKeys.trusted(config.getAudit().getSeal()));
    }

    static String chainName(AuthServiceConfiguration config) {
        if (config.getInstanceId() != null && !config.getInstanceId().isBlank()) {
            return config.getInstanceId().trim();
        }
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "unknown-host";
        }
    }
}
