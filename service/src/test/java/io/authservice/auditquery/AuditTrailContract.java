package io.authservice.auditquery;

import io.authservice.testing.StoredAuditEvents;
import com.codahale.metrics.Counter;
import com.codahale.metrics.MetricRegistry;
import com.fasterxml.jackson.databind.JsonNode;
import io.authservice.AuthServiceConfiguration;
import io.authservice.audit.AuditEvent;
import io.authservice.audit.AuditEventDAO;
import io.authservice.audit.AuditEventTypes;
import io.authservice.audit.AuditPurger;
import io.authservice.audit.AuditReasons;
import io.authservice.audit.AuditStore;
import io.authservice.audit.AuditWireFormat;
import io.authservice.audit.DeadLetter;
import io.authservice.auth.KeyFingerprints;
import io.authservice.db.Databases;
import io.authservice.testing.AdminClient;
import io.authservice.testing.Http;
import io.authservice.testing.TestApps;
import io.authservice.testing.TestAuthServiceApplication;
import io.authservice.testing.TestClock;
import io.authservice.testing.TestDatabases;
import io.dropwizard.testing.junit5.DropwizardAppExtension;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The audit trail through the running service with the {@code direct} sink on a real database:
 * every key use stored once, field by field; the query API's filters, pages, exports and access
 * rules. Run once per database by its subclasses.
 */
abstract class AuditTrailContract {
    static final String PASSWORD = "correct horse battery staple";

    protected abstract DropwizardAppExtension<AuthServiceConfiguration> app();

    /** Now on the service's clock (see {@link io.authservice.testing.TestClock#fromSystem()}): what its events are stamped by. */
    private Instant now() {
        return ((io.authservice.testing.TestAuthServiceApplication) app().getApplication()).testClock().instant();
    }

    protected abstract TestDatabases.Db db();

    /** A new, empty database of the same kind, for a test that needs no service and only its own rows. */
    protected abstract TestDatabases.Db newDatabase();

    /** A new, empty, migrated database of the same kind: a test that writes the store directly gets its own. */
    private static Jdbi migrated(TestDatabases.Db db) {
        final Jdbi own = Databases.configure(Jdbi.create(db.url(), db.user(), db.password()));
        Databases.migrate(own);
        return own;
    }

    private AdminClient admin;
    private Http http;
    private Jdbi jdbi;

    @BeforeEach
    void setUp() {
        admin = new AdminClient(app().client(), app().getAdminPort());
        http = new Http(app().getLocalPort());
        jdbi = Databases.configure(Jdbi.create(db().url(), db().user(), db().password()));
    }

    private TestAuthServiceApplication application() {
        return (TestAuthServiceApplication) app().getApplication();
    }

    /** A new key; returns its id and value. */
    private Map.Entry<Long, String> createKey(String name, String scopes) {
        final JsonNode created = admin.json("create-api-key", scopes == null ? Map.of("name", name)
                : Map.of("name", name, "scopes", scopes));
        return Map.entry(created.get("api_key").get("id").asLong(), created.get("key").asText());
    }

    /** The stored uses of a key (its lifecycle events are stored too, under other types). */
    private List<AuditEvent> stored(long keyId) {
        return stored(jdbi, keyId, AuditEventTypes.API_KEY_USED);
    }

    private List<AuditEvent> stored(long keyId, String type) {
        return stored(jdbi, keyId, type);
    }

    private static List<AuditEvent> stored(Jdbi jdbi, long keyId, String type) {
        return jdbi.withHandle(h -> h.createQuery("SELECT " + AuditEventDAO.COLUMNS
                        + " FROM audit_events WHERE key_id = :k AND type = :t")
                .bind("k", keyId).bind("t", type).map(new io.authservice.audit.AuditEventMapper()).list());
    }

    private static String unique(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    @Test
    void everyKeyAuthenticatedRequestIsStoredExactlyOnceFieldByField() {
        final var key = createKey(unique("trail"), null);
        final int n = 40;
        IntStream.range(0, n).parallel().forEach(i ->
                assertThat(http.get("/api/v1/whoami/", "X-API-Key", key.getValue(), "User-Agent", "trail-test/" + i).status())
                        .isEqualTo(200));

        await().atMost(Duration.ofSeconds(10)).until(() -> stored(key.getKey()).size() >= n);
        final List<AuditEvent> seen = application().audit().matching(e -> key.getKey().equals(e.keyId())
                && e.type().equals(AuditEventTypes.API_KEY_USED));
        assertThat(seen).hasSize(n);
        final List<AuditEvent> rows = stored(key.getKey());
        assertThat(rows).hasSize(n);
        // what the seam was handed is what the store holds, to the microsecond the column keeps
        assertThat(rows).containsExactlyInAnyOrderElementsOf(seen.stream().map(StoredAuditEvents::asStored).toList());
        assertThat(rows).allSatisfy(e -> {
            assertThat(e.type()).isEqualTo(AuditEventTypes.API_KEY_USED);
            assertThat(e.outcome()).isEqualTo(AuditEvent.SUCCESS);
            assertThat(e.keyPrefix()).isEqualTo(key.getValue().substring(0, 8));
            assertThat(e.clientAddress()).isEqualTo("127.0.0.1");
            assertThat(e.method()).isEqualTo("GET");
            assertThat(e.path()).isEqualTo("/api/v1/whoami/");
            assertThat(e.status()).isEqualTo(200);
            assertThat(e.instanceId()).isEqualTo("test");
            assertThat(e.userAgent()).startsWith("trail-test/");
        });
        // the key itself is nowhere in the store
        final long leaks = jdbi.withHandle(h -> h.createQuery("SELECT COUNT(*) FROM audit_events WHERE key_prefix = :k"
                + " OR key_name = :k OR path LIKE :like OR user_agent LIKE :like").bind("k", key.getValue())
                .bind("like", "%" + key.getValue() + "%").mapTo(Long.class).one());
        assertThat(leaks).isZero();
        assertThat(((Counter) app().getEnvironment().metrics().getMetrics().get("audit.dropped")).getCount()).isZero();
    }

    @Test
    void theStoreKeepsEachEventOnceWhenABatchIsWrittenTwice() {
        final Jdbi own = migrated(newDatabase());
        final long keyId = 7;
        final List<AuditEvent> events = IntStream.range(0, 5).mapToObj(i -> AuditEvent.builder(AuditEventTypes.API_KEY_USED,
                AuditEvent.SUCCESS, TestClock.START.plusMillis(i)).key(keyId, "twice", "abcd1234")
                .request(null, "x".repeat(5000), null, null).build()).toList();
        final AuditStore store = new AuditStore(own);
        store.insertAll(events);
        store.insertAll(events);
        store.insertAll(List.of(events.get(0), events.get(0)));
        final List<AuditEvent> rows = stored(own, keyId, AuditEventTypes.API_KEY_USED);
        assertThat(rows).hasSize(5);
        assertThat(rows).allSatisfy(e -> assertThat(e.userAgent()).hasSize(2048));
    }

    @Test
    void everyFieldOfABatchIsStoredAsItWasGiven() {
        // its own database: these dated events would otherwise, some day, be old enough for the purge test's count
        final Jdbi own = migrated(newDatabase());
        final AuditEventDAO dao = own.onDemand(AuditEventDAO.class);
        final AuditEvent full = new AuditEvent(UUID.randomUUID(), Instant.parse("2026-11-25T10:00:00.123456Z"),
                AuditEventTypes.API_KEY_REJECTED, AuditEvent.FAILURE, AuditReasons.UNKNOWN, 7L, "hdts ünïcödé", "ab12cd",
                9L, "2001:db8::1", "agent \"quoted\", with, commas", "POST", "/api/v1/tts/users-info/", 401, "req-2",
                "auth-2", "hmac-sha256:00ff", "admin-task@127.0.0.1", "task");
        final AuditEvent bare = AuditEvent.builder(AuditEventTypes.API_KEY_CREATED, AuditEvent.SUCCESS,
                Instant.parse("2026-11-25T10:00:01Z")).build();
        new AuditStore(own).insertAll(List.of(full, bare));
        assertThat(dao.find(full.id())).contains(full);
        assertThat(dao.find(bare.id())).contains(bare);
    }

    @Test
    void aNulCharacterInAPresentedValueIsStoredAsAReplacementCharacter() {
        // PostgreSQL text cannot hold U+0000: unless it is replaced, one such value would fail every
        // batch it is written in, and the consumer would retry that batch for ever
        final Jdbi own = migrated(newDatabase());
        final AuditEventDAO dao = own.onDemand(AuditEventDAO.class);
        final AuditEvent nul = AuditEvent.builder(AuditEventTypes.API_KEY_REJECTED, AuditEvent.FAILURE, TestClock.START)
                .reason(AuditReasons.UNKNOWN).request("203.0.113.9", "agent\u0000x", "GET", "/api/v1/users/internal/\u0000/")
                .build();
        final AuditEvent next = AuditEvent.builder(AuditEventTypes.API_KEY_USED, AuditEvent.SUCCESS, TestClock.START).build();
        new AuditStore(own).insertAll(List.of(nul, next));
        assertThat(dao.find(nul.id())).hasValueSatisfying(e -> {
            assertThat(e.path()).isEqualTo("/api/v1/users/internal/\uFFFD/");
            assertThat(e.userAgent()).isEqualTo("agent\uFFFDx");
        });
        assertThat(dao.find(next.id())).isPresent();

        // the first line of defence: the server refuses %00 in a path before any filter of ours sees it
        assertThat(http.get("/api/v1/users/internal/%00/", "X-API-Key", randomKey()).status()).isEqualTo(400);
    }

    @Test
    void filtersPagesAndExports() {
        final var key = createKey(unique("pages"), null);
        for (int i = 0; i < 7; i++) {
            assertThat(http.get("/api/v1/whoami/", "X-API-Key", key.getValue()).status()).isEqualTo(200);
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> stored(key.getKey()).size() == 7);
        final String reader = createKey(unique("siem"), "audit:read").getValue();
        final String filter = "key_id=" + key.getKey() + "&type=api_key.used&outcome=success";

        // pages of 3, newest first, the cursor carrying on where the last page ended
        final List<String> ids = new ArrayList<>();
        String cursor = null;
        int pages = 0;
        do {
            final Http.Answer page = http.get("/api/v1/audit/events/?" + filter + "&limit=3"
                    + (cursor == null ? "" : "&cursor=" + cursor), "X-API-Key", reader);
            assertThat(page.status()).as(page.body()).isEqualTo(200);
            assertThat(page.header("Content-Type")).startsWith("application/json");
            page.json().get("events").forEach(e -> ids.add(e.get("id").asText()));
            cursor = page.json().get("next_cursor").isNull() ? null : page.json().get("next_cursor").asText();
            pages++;
        } while (cursor != null);
        assertThat(pages).isEqualTo(3);
        final List<String> expected = stored(key.getKey()).stream()
                .sorted(Comparator.comparing(AuditEvent::occurredAt).thenComparing(AuditEvent::id).reversed())
                .map(e -> e.id().toString()).toList();
        assertThat(ids).containsExactlyElementsOf(expected);

        // every event of the page is in the wire form
        final JsonNode first = http.get("/api/v1/audit/events/?" + filter + "&limit=1", "X-API-Key", reader).json()
                .get("events").get(0);
        assertThat(first.get("v").asInt()).isEqualTo(AuditWireFormat.VERSION);
        assertThat(first.get("key_id").asLong()).isEqualTo(key.getKey());

        // a time range: nothing before the key existed
        final Http.Answer none = http.get("/api/v1/audit/events/?" + filter + "&to=2000-01-01T00:00:00Z", "X-API-Key", reader);
        assertThat(none.json().get("events")).isEmpty();
        assertThat(none.json().get("next_cursor").isNull()).isTrue();
        final Http.Answer since = http.get("/api/v1/audit/events/?" + filter + "&from="
                + enc(now().minus(Duration.ofHours(1)).toString()), "X-API-Key", reader);
        assertThat(since.json().get("events")).hasSize(7);
        assertThat(http.get("/api/v1/audit/events/?" + filter + "&reason=unknown", "X-API-Key", reader).json()
                .get("events")).isEmpty();

        // CSV, by format= or by Accept; every matching event when no limit is given
        final Http.Answer csv = http.get("/api/v1/audit/events/?" + filter + "&format=csv", "X-API-Key", reader);
        assertThat(csv.status()).isEqualTo(200);
        assertThat(csv.header("Content-Type")).startsWith("text/csv");
        final List<String> lines = csv.body().lines().toList();
        assertThat(lines).hasSize(8);
        assertThat(lines.get(0)).isEqualTo(String.join(",", AuditCsv.COLUMNS));
        assertThat(lines.subList(1, 8)).extracting(line -> line.substring(0, 36)).containsExactlyElementsOf(expected);
        assertThat(http.get("/api/v1/audit/events/?" + filter, "X-API-Key", reader, "Accept", "text/csv").body())
                .isEqualTo(csv.body());

        // NDJSON: one wire-form event per line; a limit gives a page, its cursor in a header
        final Http.Answer ndjson = http.get("/api/v1/audit/events/?" + filter + "&limit=5", "X-API-Key", reader,
                "Accept", "application/x-ndjson");
        assertThat(ndjson.header("Content-Type")).startsWith("application/x-ndjson");
        final List<AuditEvent> decoded = ndjson.body().lines()
                .map(line -> AuditWireFormat.decode(line.getBytes(StandardCharsets.UTF_8))).toList();
        assertThat(decoded).extracting(e -> e.id().toString()).containsExactlyElementsOf(expected.subList(0, 5));
        assertThat(ndjson.header("X-Next-Cursor")).isNotBlank();
        final Http.Answer rest = http.get("/api/v1/audit/events/?" + filter + "&format=ndjson&cursor="
                + ndjson.header("X-Next-Cursor"), "X-API-Key", reader);
        assertThat(rest.body().lines().toList()).hasSize(2);
    }

    @Test
    void theSealedTrailOfTheDirectSinkVerifiesAndAChangedEventIsNamed() throws Exception {
        final Instant from = now().minusMillis(1);
        final var key = createKey(unique("sealed"), null);
        final String reader = createKey(unique("siem"), "audit:read").getValue();
        for (int i = 0; i < 5; i++) {
            assertThat(http.get("/api/v1/whoami/", "X-API-Key", key.getValue()).status()).isEqualTo(200);
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> stored(key.getKey()).size() == 5);
        // the range ends here and the service's clock moves on, so the events of the requests below (the
        // reader's own uses, stored while the range is being read) lie after it however slow the machine
        final Instant to = now();
        application().testClock().advance(Duration.ofSeconds(1));
        final String range = "?from=" + enc(from.toString()) + "&to=" + enc(to.toString());

        final Http.Answer clean = http.get("/api/v1/audit/verification/" + range, "X-API-Key", reader);
        assertThat(clean.status()).as(clean.body()).isEqualTo(200);
        assertThat(clean.json().get("ok").asBoolean()).as(clean.body()).isTrue();
        assertThat(clean.json().get("events").asLong()).isGreaterThanOrEqualTo(5);
        assertThat(clean.json().get("findings")).isEmpty();

        // the range's NDJSON export with its seals verifies offline against the published keys
        final Http.Answer export = http.get("/api/v1/audit/events/" + range + "&format=ndjson&include=seals", "X-API-Key", reader);
        assertThat(export.status()).as(export.body()).isEqualTo(200);
        assertThat(export.body().lines().filter(line -> line.startsWith("{\"record\":\"seal\"")).count()).isPositive();
        final java.util.List<java.security.PublicKey> published = new java.util.ArrayList<>();
        http.get("/.well-known/audit-keys.json").json().get("keys").forEach(k ->
                published.add(io.authservice.audit.seal.SealKey.publicKey(k.get("public_key").asText())));
        final var offline = io.authservice.audit.seal.TrailVerifier.verifyExport(io.authservice.audit.seal.ExportedTrail.read(
                new java.io.BufferedReader(new java.io.StringReader(export.body()))), io.authservice.audit.seal.SealKeyRing.of(published));
        assertThat(offline.findings()).isEmpty();
        assertThat(offline.events()).isGreaterThanOrEqualTo(5);
        for (String refused : List.of("&format=csv&include=seals", "&format=ndjson&include=everything",
                "&format=ndjson&include=seals&outcome=success")) {
            final Http.Answer no = http.get("/api/v1/audit/events/" + range + refused, "X-API-Key", reader);
            assertThat(no.status()).as(refused).isEqualTo(400);
            assertThat(no.json().get("code").asInt()).isEqualTo(400);
        }

        final AuditEvent changed = stored(key.getKey()).get(2);
        jdbi.useHandle(h -> h.execute("UPDATE audit_events SET user_agent = 'forged' WHERE id = ?", changed.id()));
        try {
            final JsonNode found = http.get("/api/v1/audit/verification/" + range, "X-API-Key", reader).json();
            assertThat(found.get("ok").asBoolean()).isFalse();
            assertThat(found.get("counts").get("EVENT_CHANGED").asInt()).isEqualTo(1);
            assertThat(found.get("findings").get(0).get("kind").asText()).isEqualTo("EVENT_CHANGED");
            assertThat(found.get("findings").get(0).get("event_id").asText()).isEqualTo(changed.id().toString());
        } finally {
            jdbi.useHandle(h -> h.execute("UPDATE audit_events SET user_agent = ? WHERE id = ?", changed.userAgent(), changed.id()));
        }
        assertThat(http.get("/api/v1/audit/verification/" + range, "X-API-Key", reader).json().get("ok").asBoolean()).isTrue();

        final Http.Answer bad = http.get("/api/v1/audit/verification/?from=yesterday", "X-API-Key", reader);
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.json().get("code").asInt()).isEqualTo(400);
        assertThat(bad.json().get("message").asText()).contains("from");

        final Http.Answer keys = http.get("/.well-known/audit-keys.json");
        assertThat(keys.status()).isEqualTo(200);
        assertThat(keys.header("Cache-Control")).isEqualTo("public, max-age=300");
        final String signedBy = jdbi.withHandle(h -> h.createQuery("SELECT key_id FROM audit_seals ORDER BY sealed_at DESC")
                .mapTo(String.class).first());
        assertThat(keys.json().get("keys").findValuesAsText("kid")).contains(signedBy);
        assertThat(keys.body()).doesNotContain("PRIVATE");
    }

    @Test
    void whoMayReadTheTrail() {
        final String reader = createKey(unique("siem"), "audit:read").getValue();
        final var plain = createKey(unique("plain"), null);
        createUser(unique("sec"), "security");
        final String security = signIn(lastUser);
        createUser(unique("adm"), "admin");
        final String adminToken = signIn(lastUser);
        createUser(unique("agent"), "agent");
        final String agent = signIn(lastUser);

        for (String path : List.of("/api/v1/audit/events/", "/api/v1/audit/summary/", "/api/v1/audit/verification/")) {
            assertThat(http.get(path, "X-API-Key", reader).status()).isEqualTo(200);
            assertThat(http.get(path, "Authorization", "Bearer " + security).status()).isEqualTo(200);
            assertThat(http.get(path, "Authorization", "Bearer " + adminToken).status()).isEqualTo(200);
            assertThat(http.get(path, "X-API-Key", plain.getValue()).status()).isEqualTo(403);
            assertThat(http.get(path, "Authorization", "Bearer " + agent).status()).isEqualTo(403);
            assertThat(http.get(path).status()).isEqualTo(401);
            // with or without the trailing slash, as every path of the service
            assertThat(http.get(path.substring(0, path.length() - 1), "X-API-Key", reader).status()).isEqualTo(200);
        }
        // the key that may read is recorded as used, the one that may not as refused for its scope
        await().atMost(Duration.ofSeconds(10)).until(() -> stored(plain.getKey(), AuditEventTypes.API_KEY_REJECTED).size() == 3);
        assertThat(stored(plain.getKey(), AuditEventTypes.API_KEY_REJECTED)).extracting(AuditEvent::reason).containsOnly(AuditReasons.INSUFFICIENT_SCOPE);
        assertThat(application().audit().matching(e -> e.path() != null && e.path().startsWith("/api/v1/audit/")
                && AuditEvent.SUCCESS.equals(e.outcome()) && e.keyName() != null && e.keyName().startsWith("siem")))
                .isNotEmpty();
    }

    @Test
    void badSearchesAre400WithTheReason() {
        final String reader = createKey(unique("siem"), "audit:read").getValue();
        final Map<String, String> cases = Map.of(
                "from=yesterday", "'from': 'yesterday' is not an ISO 8601 time such as 2026-11-25T10:00:00Z",
                "limit=0", "'limit': must be between 1 and 1000",
                "limit=1001", "'limit': must be between 1 and 1000",
                "key_id=abc", "'key_id': 'abc' is not a whole number",
                "cursor=bm90LWEtY3Vyc29y", "'cursor': not a cursor this service gave out; use next_cursor as it came",
                "format=xml", "'format': 'xml' is not one of json, csv, ndjson",
                "from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z", "'from' must be before 'to'",
                "kind=x", "unknown parameter 'kind'; known: client_address, cursor, fingerprint, format, from, include, key_id, "
                        + "key_name, limit, outcome, path, reason, to, type, user_id");
        cases.forEach((query, message) -> {
            final Http.Answer answer = http.get("/api/v1/audit/events/?" + query, "X-API-Key", reader);
            assertThat(answer.status()).as(query).isEqualTo(400);
            assertThat(answer.header("Content-Type")).startsWith("application/json");
            assertThat(answer.json().get("message").asText()).as(query).isEqualTo(message);
        });
        final Http.Answer summary = http.get("/api/v1/audit/summary/?unused_days=0", "X-API-Key", reader);
        assertThat(summary.status()).isEqualTo(400);
        assertThat(summary.json().get("message").asText()).contains("unused_days");
    }

    @Test
    void theSummaryCountsByTypeAddressAndKey() {
        final var key = createKey(unique("sum"), null);
        final String reader = createKey(unique("siem"), "audit:read").getValue();
        for (int i = 0; i < 3; i++) {
            assertThat(http.get("/api/v1/whoami/", "X-API-Key", key.getValue()).status()).isEqualTo(200);
        }
        assertThat(http.get("/api/v1/whoami/", "X-API-Key", "f".repeat(40)).status()).isEqualTo(401);
        await().atMost(Duration.ofSeconds(10)).until(() -> stored(key.getKey()).size() == 3);
        await().atMost(Duration.ofSeconds(10)).until(() -> jdbi.withHandle(h -> h.createQuery(
                "SELECT COUNT(*) FROM audit_events WHERE reason = 'unknown'").mapTo(Long.class).one()) >= 1);

        final Http.Answer answer = http.get("/api/v1/audit/summary/?from="
                + enc(now().minus(Duration.ofHours(1)).toString()), "X-API-Key", reader);
        assertThat(answer.status()).as(answer.body()).isEqualTo(200);
        final JsonNode summary = answer.json();
        assertThat(summary.get("by_type_and_outcome")).anySatisfy(row -> {
            assertThat(row.get("type").asText()).isEqualTo("api_key.rejected");
            assertThat(row.get("outcome").asText()).isEqualTo("failure");
            assertThat(row.get("count").asLong()).isPositive();
        });
        assertThat(summary.get("top_failing_client_addresses").get(0).get("client_address").asText()).isEqualTo("127.0.0.1");
        assertThat(summary.get("uses_per_key")).anySatisfy(row -> {
            assertThat(row.get("key_id").asLong()).isEqualTo(key.getKey());
            assertThat(row.get("uses").asLong()).isEqualTo(3);
        });
        // no key of this test is older than a day, so none is a rotation candidate yet
        assertThat(summary.get("unused_days").asInt()).isEqualTo(30);
        assertThat(summary.get("unused_keys")).noneSatisfy(row ->
                assertThat(row.get("key_id").asLong()).isEqualTo(key.getKey()));
    }

    @Test
    void aFailedKeyAttemptCarriesTheFingerprintOfWhatWasPresentedAndNeverTheValue() {
        final String bad = randomKey();
        final String otherBad = randomKey();
        final String malformed = "not-a-key-" + UUID.randomUUID();
        final var valid = createKey(unique("fp-valid"), null);
        final var unscoped = createKey(unique("fp-unscoped"), null);
        final String reader = createKey(unique("siem"), "audit:read").getValue();
        final Instant start = now();
        assertThat(http.get("/api/v1/whoami/", "X-API-Key", bad).status()).isEqualTo(401);
        assertThat(http.get("/api/v1/whoami/", "X-API-Key", bad).status()).isEqualTo(401);
        assertThat(http.get("/api/v1/whoami/", "X-API-Key", otherBad).status()).isEqualTo(401);
        assertThat(http.get("/api/v1/whoami/", "X-API-Key", malformed).status()).isEqualTo(401);
        assertThat(http.get("/api/v1/audit/events/", "X-API-Key", unscoped.getValue()).status()).isEqualTo(403);
        assertThat(http.get("/api/v1/whoami/", "X-API-Key", valid.getValue()).status()).isEqualTo(200);

        final KeyFingerprints fingerprints = new KeyFingerprints(TestApps.FINGERPRINT_SECRET);
        final String badPrint = fingerprints.of(bad);
        await().atMost(Duration.ofSeconds(10)).until(() -> storedWithFingerprint(badPrint).size() == 2
                && storedWithFingerprint(fingerprints.of(malformed)).size() == 1
                && stored(unscoped.getKey(), AuditEventTypes.API_KEY_REJECTED).size() == 1
                && stored(valid.getKey()).size() == 1);
        // the same bad key twice: one fingerprint; another key: another
        assertThat(storedWithFingerprint(badPrint)).extracting(AuditEvent::reason).containsOnly(AuditReasons.UNKNOWN);
        assertThat(storedWithFingerprint(fingerprints.of(otherBad))).hasSize(1);
        assertThat(fingerprints.of(otherBad)).isNotEqualTo(badPrint);
        assertThat(storedWithFingerprint(fingerprints.of(malformed))).extracting(AuditEvent::reason).containsOnly(AuditReasons.MALFORMED);
        // a known key refused for its scope is fingerprinted too; a use is not
        assertThat(stored(unscoped.getKey(), AuditEventTypes.API_KEY_REJECTED)).extracting(AuditEvent::fingerprint)
                .containsOnly(fingerprints.of(unscoped.getValue()));
        assertThat(stored(valid.getKey())).extracting(AuditEvent::fingerprint).containsOnlyNulls();

        // no presented value is anywhere in the store: every column of every row
        final List<String> rows = jdbi.withHandle(h -> h.createQuery("SELECT * FROM audit_events").mapToMap().list())
                .stream().map(Object::toString).toList();
        for (String presented : List.of(bad, otherBad, malformed, unscoped.getValue(), valid.getValue())) {
            assertThat(rows).noneMatch(row -> row.contains(presented));
        }

        // the query API and its export filter by fingerprint, and never show the value either
        final Http.Answer found = http.get("/api/v1/audit/events/?fingerprint=" + badPrint, "X-API-Key", reader);
        assertThat(found.status()).as(found.body()).isEqualTo(200);
        assertThat(found.json().get("events")).hasSize(2).allSatisfy(e ->
                assertThat(e.get("fingerprint").asText()).isEqualTo(badPrint));
        final Http.Answer export = http.get("/api/v1/audit/events/?format=ndjson&from=" + enc(start.toString()), "X-API-Key", reader);
        assertThat(export.body()).contains(badPrint).doesNotContain(bad).doesNotContain(otherBad).doesNotContain(malformed);

        // the summary lists the fingerprints tried most
        final JsonNode summary = http.get("/api/v1/audit/summary/?from=" + enc(start.toString()), "X-API-Key", reader).json();
        assertThat(summary.get("top_failed_key_fingerprints")).anySatisfy(row -> {
            assertThat(row.get("fingerprint").asText()).isEqualTo(badPrint);
            assertThat(row.get("attempts").asLong()).isEqualTo(2);
            assertThat(row.get("client_addresses").asLong()).isEqualTo(1);
            assertThat(Instant.parse(row.get("first_seen").asText())).isBefore(Instant.parse(row.get("last_seen").asText()));
        });
        assertThat(summary.get("top_failed_key_fingerprints").get(0).get("fingerprint").asText()).isEqualTo(badPrint);
    }

    private static String randomKey() {
        return HexFormat.of().formatHex(UUID.randomUUID().toString().getBytes(StandardCharsets.US_ASCII)).substring(0, 40);
    }

    private List<AuditEvent> storedWithFingerprint(String fingerprint) {
        return jdbi.withHandle(h -> h.createQuery("SELECT " + AuditEventDAO.COLUMNS + " FROM audit_events WHERE fingerprint = :f")
                .bind("f", fingerprint).map(new io.authservice.audit.AuditEventMapper()).list());
    }

    @Test
    void thePurgeTaskDeletesWhatIsOlderThanItsDaysAndADryRunOnlyCounts() {
        // the only test that stores aged rows in the service's database (aged by the service's clock)
        final Instant now = application().testClock().instant();
        final List<AuditEvent> old = agedEvents(now, 12, 100);
        final List<AuditEvent> recent = agedEvents(now, 3, 10);
        storeAll(jdbi, concat(old, recent), deadLetter(now, 1, 100), deadLetter(now, 2, 10));
        final Counter purged = (Counter) app().getEnvironment().metrics().getMetrics().get("audit.purged");
        final long purgedBefore = purged.getCount();

        final JsonNode dry = admin.json("purge-audit-events", Map.of("older_than_days", "30", "dry_run", "true"));
        assertThat(dry.get("action").asText()).isEqualTo("counted");
        assertThat(dry.get("dry_run").asBoolean()).isTrue();
        assertThat(dry.get("events").asLong()).isEqualTo(12);
        assertThat(dry.get("dead_letters").asLong()).isEqualTo(1);
        assertThat(present(jdbi, old)).hasSize(12);
        assertThat(deadLetterOffsets(jdbi, 1L, 2L)).containsExactlyInAnyOrder(1L, 2L);

        final JsonNode done = admin.json("purge-audit-events", Map.of("older_than_days", "30"));
        assertThat(done.get("action").asText()).isEqualTo("purged");
        assertThat(done.get("older_than_days").asInt()).isEqualTo(30);
        assertThat(done.get("events").asLong()).isEqualTo(12);
        assertThat(done.get("dead_letters").asLong()).isEqualTo(1);
        assertThat(present(jdbi, old)).isEmpty();
        assertThat(present(jdbi, recent)).hasSize(3);
        assertThat(deadLetterOffsets(jdbi, 1L, 2L)).containsExactly(2L);
        assertThat(purged.getCount() - purgedBefore).isEqualTo(12);
        // the human answer says the same
        assertThat(admin.run("purge-audit-events", Map.of("older_than_days", "30", "dry_run", "true")).body())
                .startsWith("Dry run: 0 audit events and 0 dead letters are older than 30 days");
    }

    @Test
    void aPurgeDeletesInBoundedBatches() {
        // its own database and clock: the counts are of this test's rows alone
        final Jdbi own = migrated(newDatabase());
        final TestClock clock = new TestClock();
        final List<AuditEvent> old = agedEvents(clock.instant(), 12, 400);
        final List<AuditEvent> recent = agedEvents(clock.instant(), 2, 20);
        storeAll(own, concat(old, recent), deadLetter(clock.instant(), 11, 400), deadLetter(clock.instant(), 12, 401),
                deadLetter(clock.instant(), 13, 20));

        // five rows a statement: three batches of events, one of dead letters, all of it deleted
        final AuditPurger.Result result = new AuditPurger(new AuditStore(own), clock, new MetricRegistry(), 5).purge(365, false);
        assertThat(result.events()).isEqualTo(12);
        assertThat(result.deadLetters()).isEqualTo(2);
        assertThat(present(own, old)).isEmpty();
        assertThat(present(own, recent)).hasSize(2);
        assertThat(deadLetterOffsets(own, 11L, 12L, 13L)).containsExactly(13L);
    }

    @Test
    void theVerifyTaskRunsTheSelfCheckNowAndTheHealthCheckReportsIt() {
        final AdminClient.Answer answer = admin.run("verify-audit-trail", Map.of("format", "json"));
        assertThat(answer.status()).isEqualTo(200);
        final JsonNode verification = answer.json();
        // other tests of this app store unsealed events, so whether it holds depends on the order they ran in
        assertThat(verification.get("ok").isBoolean()).isTrue();
        assertThat(verification.get("events").asLong()).isGreaterThanOrEqualTo(0);
        final String health = app().client().target("http://localhost:" + app().getAdminPort() + "/healthcheck")
                .request().get().readEntity(String.class);
        assertThat(health).contains("\"audit-trail\"");
        assertThat(admin.run("verify-audit-trail", Map.of("from", "2026-01-01T00:00:00Z")).status()).isEqualTo(400);
    }

    @Test
    void badPurgeParametersAre400WithTheReason() {
        final Map<Map<String, String>, String> cases = Map.of(
                Map.of("older_than_days", "0"), "'older_than_days': '0' is not a whole number of days from 1 to 36500",
                Map.of("older_than_days", "abc"), "'older_than_days': 'abc' is not a whole number of days from 1 to 36500",
                Map.of("older_than_days", "36501"), "'older_than_days': '36501' is not a whole number of days from 1 to 36500",
                Map.of("older_than_days", "30", "dry_run", "maybe"), "'dry_run': 'maybe' is not 'true' or 'false'",
                Map.of("days", "30"), "unknown parameter 'days'; this task takes [dry_run, format, older_than_days]",
                // this app keeps events forever (retentionDays 0), so there is no default age
                Map.of(), "'older_than_days' is required: retention is off (audit.retentionDays is 0)");
        cases.forEach((params, message) -> {
            final AdminClient.Answer answer = admin.run("purge-audit-events", params);
            assertThat(answer.status()).as(params.toString()).isEqualTo(400);
            assertThat(answer.contentType()).startsWith("application/json");
            assertThat(answer.json().get("message").asText()).as(params.toString()).isEqualTo(message);
        });
        assertThat(admin.run("purge-audit-events", Map.of("older_than_days", "30"), "wrong-token", null).status()).isEqualTo(401);
    }

    private static void storeAll(Jdbi jdbi, List<AuditEvent> events, DeadLetter... letters) {
        new AuditStore(jdbi).write(events, List.of(letters));
    }

    /** {@code n} events that occurred {@code days} days before {@code now}. */
    private static List<AuditEvent> agedEvents(Instant now, int n, int days) {
        final Instant at = now.minus(Duration.ofDays(days));
        final long keyId = 8;
        return IntStream.range(0, n).mapToObj(i -> AuditEvent.builder(AuditEventTypes.API_KEY_USED, AuditEvent.SUCCESS,
                at.plusMillis(i)).key(keyId, "aged", "abcd1234").build()).toList();
    }

    /** A dead letter at {@code offset}, received {@code days} days ago. */
    private static DeadLetter deadLetter(Instant now, long offset, int days) {
        return new DeadLetter("purge-test-" + offset, 0, offset, 0, null, new byte[]{1}, "not JSON",
                now.minus(Duration.ofDays(days)));
    }

    private static <T> List<T> concat(List<T> a, List<T> b) {
        final List<T> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }

    private static List<UUID> present(Jdbi jdbi, List<AuditEvent> events) {
        final AuditEventDAO dao = jdbi.onDemand(AuditEventDAO.class);
        return events.stream().map(AuditEvent::id).filter(id -> dao.find(id).isPresent()).toList();
    }

    /** Which of these dead letters (by offset, see {@link #deadLetter}) are still kept. */
    private static List<Long> deadLetterOffsets(Jdbi jdbi, Long... offsets) {
        return jdbi.withHandle(h -> h.createQuery("SELECT record_offset FROM audit_dead_letters WHERE topic LIKE 'purge-test-%'")
                .mapTo(Long.class).list()).stream().filter(List.of(offsets)::contains).toList();
    }

    private String lastUser;

    private void createUser(String username, String role) {
        final AdminClient.Answer answer = admin.run("create-user", Map.of("format", "json"),
                io.authservice.testing.TestApps.ADMIN_TOKEN, "{\"username\":\"" + username + "\",\"email\":\"" + username
                        + "@example.com\",\"first_name\":\"F\",\"last_name\":\"L\",\"roles\":[\"" + role + "\"]"
                        + ",\"password\":\"" + PASSWORD + "\"}");
        assertThat(answer.status()).as(answer.body()).isEqualTo(200);
        lastUser = username;
    }

    private String signIn(String username) {
        final Http.Answer answer = http.post("/api/v1/token/", "{\"username\":\"" + username + "\",\"password\":\""
                + PASSWORD + "\"}");
        assertThat(answer.status()).as(answer.body()).isEqualTo(200);
        return answer.json().get("access").asText();
    }

    private static String enc(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }
}
