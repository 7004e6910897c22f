package io.authservice.cli;

import com.google.common.collect.Lists;
import io.authservice.ServiceGraph;
import io.authservice.audit.AuditEvent;
import io.authservice.audit.AuditEventTypes;
import io.authservice.audit.AuditReasons;
import io.authservice.core.Actor;
import io.authservice.core.ApiKey;
import io.authservice.core.KeyRef;
import io.authservice.core.NewUser;
import io.authservice.core.Report;
import io.authservice.core.RequestRefusedException;
import io.authservice.core.User;
import net.sourceforge.argparse4j.inf.Namespace;
import net.sourceforge.argparse4j.inf.Subparser;

import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * {@code seed-demo config.yml}: fills an empty database (the embedded default) with a small
 * directory, a few keys and a week of audit traffic written through the audit store, so the console
 * has something to show. It runs once: a second run finds its people already there and is refused
 * (409) without changing anything. The people's passwords are made at random and printed once.
 *
 * <p>The week: the two service keys are used steadily (more in working hours), people sign in
 * (a few wrong passwords), one address tries unknown keys in a burst two days ago, and the
 * deactivated legacy key is still tried from one address every half hour.
 */
public final class SeedDemoCommand extends ReportingCommand {
    public static final String NAME = "seed-demo";
    public static final String SECURITY_USER = "demo-security";
    public static final String ADMIN_USER = "demo-admin";
    public static final String PLAIN_USER = "demo-viewer";
    public static final String TTS_KEY = "demo-tts";
    public static final String HDTS_KEY = "demo-hdts";
    public static final String LEGACY_KEY = "demo-legacy";
    /** Where the burst of failed attempts comes from (a documentation address, RFC 5737). */
    public static final String ATTACKER_ADDRESS = "203.0.113.66";
    /** Where the deactivated legacy key is still tried from. */
    public static final String LEGACY_ADDRESS = "198.51.100.23";
    public static final int BURST_ATTEMPTS = 400;

    private static final int CHUNK = 1_000;
    private static final String DEMO_AGENT = "seed-demo";

    public SeedDemoCommand(CommandSetup setup) {
        super(NAME, "Fills an empty database with demo people, keys and a week of audit traffic (once)", setup);
    }

    @Override
    protected void addArguments(Subparser subparser) {
    }

    @Override
    protected Report run(Namespace namespace, CommandContext context) {
        final ServiceGraph graph = context.graph();
        final SecureRandom random = graph.random();
        final Instant now = graph.clock().instant().truncatedTo(ChronoUnit.SECONDS);

        final Map<String, String> passwords = new LinkedHashMap<>();
        final Map<String, User> users = new LinkedHashMap<>();
        for (Map.Entry<String, List<String>> person : Map.of(
                SECURITY_USER, List.of("security"), ADMIN_USER, List.of("admin"), PLAIN_USER, List.<String>of())
                .entrySet().stream().sorted(Map.Entry.comparingByKey()).toList()) {
            final String password = password(random);
            final User user;
            try {
                user = graph.users().create(NewUser.of(person.getKey(), person.getKey() + "@demo.example",
                        "Demo", person.getKey().substring(5), person.getValue()), password, Actor.command());
            } catch (RequestRefusedException e) {
                if (e.status() == 409) {
                    throw RequestRefusedException.conflict(NAME + " has already run on this database (user '"
                            + person.getKey() + "' exists); it fills an empty database once, so nothing was changed");
                }
                throw e;
            }
            users.put(person.getKey(), user);
            passwords.put(person.getKey(), password);
        }

        final ApiKey tts = graph.apiKeys().create(TTS_KEY, Set.of("users-info:read"), null, Actor.command()).stored();
        final ApiKey hdts = graph.apiKeys().create(HDTS_KEY, Set.of("employees:read"), null, Actor.command()).stored();
        final ApiKey legacy = graph.apiKeys().create(LEGACY_KEY, Set.of("users:read"), null, Actor.command()).stored();
        graph.apiKeys().deactivate(KeyRef.of(Long.toString(legacy.id()), null), Actor.command());

        final List<AuditEvent> week = week(now, new Random(42), tts, hdts, legacy, users.get(SECURITY_USER),
                graph.instanceId());
        Lists.partition(week, CHUNK).forEach(graph.auditStore()::insertAll);
        final Map<String, Long> byType = new LinkedHashMap<>();
        week.forEach(event -> byType.merge(event.type(), 1L, Long::sum));

        final StringBuilder text = new StringBuilder("Seeded the demo: ")
                .append(week.size()).append(" audit events over the last 7 days ").append(byType).append('\n')
                .append("keys: ").append(TTS_KEY).append(", ").append(HDTS_KEY).append(", ")
                .append(LEGACY_KEY).append(" (deactivated, still tried from ").append(LEGACY_ADDRESS).append(")\n")
                .append("people (passwords shown only now):\n");
        passwords.forEach((name, password) -> text.append("  ").append(name).append(" (")
                .append(users.get(name).roles().isEmpty() ? "no roles" : String.join(",", users.get(name).roles()))
                .append("): ").append(password).append('\n'));
        text.append("Start the service and sign in at /console/ as ").append(SECURITY_USER).append('.');
        return new Report(text.toString(), Report.actionJson(NAME, "events", week.size(), "events_by_type", byType,
                "keys", List.of(TTS_KEY, HDTS_KEY, LEGACY_KEY), "passwords", passwords));
    }

    private static String password(SecureRandom random) {
        final byte[] bytes = new byte[15];
        random.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    /** A week of traffic up to {@code now}, oldest first; the same every run for the same {@code now}. */
    static List<AuditEvent> week(Instant now, Random random, ApiKey tts, ApiKey hdts, ApiKey legacy, User security,
                                 String instanceId) {
        final List<AuditEvent> events = new ArrayList<>();
        final Instant start = now.minus(Duration.ofDays(7));
        // steady service calls: every 10 minutes, three times as many in working hours (UTC)
        for (Instant t = start; t.isBefore(now); t = t.plus(Duration.ofMinutes(10))) {
            final int hour = t.atZone(ZoneOffset.UTC).getHour();
            final int calls = hour >= 8 && hour < 18 ? 3 : 1;
            for (int i = 0; i < calls; i++) {
                final Instant at = t.plusSeconds(random.nextInt(600));
                if (!at.isBefore(now)) {
                    continue;
                }
                events.add(used(at, tts, "10.0.0.11", "GET", "/api/v1/tts/users-info/", instanceId));
                events.add(used(at.plusMillis(random.nextInt(900)), hdts, "10.0.0.12", "GET",
                        "/api/v1/hdts/employees/internal/" + (1 + random.nextInt(40)) + "/", instanceId));
            }
        }
        // a person signing in each morning of the week (09:00 UTC), now and then with a wrong password first
        for (int day = 7; day >= 0; day--) {
            final Instant morning = now.minus(Duration.ofDays(day)).truncatedTo(ChronoUnit.DAYS).plus(Duration.ofHours(9));
            if (!morning.minusSeconds(40).isAfter(start) || !morning.isBefore(now)) {
                continue;
            }
            if (random.nextInt(3) == 0) {
                events.add(AuditEvent.builder(AuditEventTypes.LOGIN_FAILED, AuditEvent.FAILURE, morning.minusSeconds(40))
                        .reason(AuditReasons.BAD_PASSWORD).userId(security.id())
                        .request("10.0.2.5", "Mozilla/5.0", "POST", "/api/v1/token/").status(401)
                        .instanceId(instanceId).build());
            }
            events.add(AuditEvent.builder(AuditEventTypes.LOGIN_SUCCEEDED, AuditEvent.SUCCESS, morning)
                    .userId(security.id()).request("10.0.2.5", "Mozilla/5.0", "POST", "/api/v1/token/").status(200)
                    .instanceId(instanceId).build());
        }
        // a burst of unknown keys from one address two days ago: a few fingerprints, tried over and over
        final Instant burst = now.minus(Duration.ofDays(2)).truncatedTo(ChronoUnit.HOURS);
        final List<String> fingerprints = List.of(fingerprint(random), fingerprint(random), fingerprint(random),
                fingerprint(random), fingerprint(random));
        for (int i = 0; i < BURST_ATTEMPTS; i++) {
            events.add(AuditEvent.builder(AuditEventTypes.API_KEY_REJECTED, AuditEvent.FAILURE,
                            burst.plusMillis(i * 6_000L + random.nextInt(5_000)))
                    .reason(i % 10 == 0 ? AuditReasons.MALFORMED : AuditReasons.UNKNOWN)
                    .fingerprint(i % 10 == 0 ? null : fingerprints.get(i % fingerprints.size()))
                    .request(ATTACKER_ADDRESS, "python-requests/2.31", "GET", "/api/v1/users/internal/" + (1 + i % 50) + "/")
                    .status(401).instanceId(instanceId).build());
        }
        // the old, deactivated key still tried every half hour by a forgotten job
        for (Instant t = start.plus(Duration.ofMinutes(17)); t.isBefore(now); t = t.plus(Duration.ofMinutes(30))) {
            events.add(AuditEvent.builder(AuditEventTypes.API_KEY_REJECTED, AuditEvent.FAILURE, t)
                    .reason(AuditReasons.INACTIVE).key(legacy.id(), legacy.name(), legacy.prefix())
                    .request(LEGACY_ADDRESS, "curl/7.88.1", "GET", "/api/v1/users/internal/7/")
                    .status(401).instanceId(instanceId).build());
        }
        events.sort((a, b) -> a.occurredAt().compareTo(b.occurredAt()));
        return events;
    }

    private static AuditEvent used(Instant at, ApiKey key, String address, String method, String path, String instanceId) {
        return AuditEvent.builder(AuditEventTypes.API_KEY_USED, AuditEvent.SUCCESS, at)
                .key(key.id(), key.name(), key.prefix())
                .request(address, DEMO_AGENT, method, path).status(200).instanceId(instanceId).build();
    }

    private static String fingerprint(Random random) {
        final byte[] bytes = new byte[16];
        random.nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }
}
