package io.authservice.auditquery;

import com.fasterxml.jackson.databind.JsonNode;
import io.authservice.AuthServiceConfiguration;
import io.authservice.audit.AuditEvent;
import io.authservice.audit.AuditEventTypes;
import io.authservice.audit.AuditCounts;
import io.authservice.audit.AuditReasons;
import io.authservice.audit.AuditStore;
import io.authservice.db.Databases;
import io.authservice.testing.AdminClient;
import io.authservice.testing.Http;
import io.authservice.testing.TestDatabases;
import io.authservice.testing.TestPeople;
import io.dropwizard.testing.junit5.DropwizardAppExtension;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code GET /api/v1/audit/timeseries/} through the running service on a real database: buckets
 * across midnight UTC and from times given with offsets, series by outcome, type and reason, the
 * per-minute counts equal to grouping the events, bad input answered 400 in JSON, and who may read.
 * Each test has its own key ids and its own days, so tests do not see each other's events.
 */
abstract class AuditTimeseriesContract {
    /** Key ids of keys the tests make up, far above any the service gives. */
    private static final AtomicLong OTHER_KEYS = new AtomicLong(900_000_000L);

    protected abstract DropwizardAppExtension<AuthServiceConfiguration> app();

    /** Now on the service's clock (see {@link io.authservice.testing.TestClock#fromSystem()}): what its events are stamped by. */
    private Instant now() {
        return ((io.authservice.testing.TestAuthServiceApplication) app().getApplication()).testClock().instant();
    }

    protected abstract TestDatabases.Db db();

    private AdminClient admin;
    private Http http;
    private Jdbi jdbi;
    private String reader;

    @BeforeEach
    void setUp() {
        admin = new AdminClient(app().client(), app().getAdminPort());
        http = new Http(app().getLocalPort());
        jdbi = Databases.configure(Jdbi.create(db().url(), db().user(), db().password()));
        reader = createKey(unique("siem"), "audit:read").getValue();
    }

    @Test
    void bucketsAcrossMidnightUtcCountWhatWasStored() {
        final long key = otherKeyId();
        final Instant midnight = Instant.parse("2026-10-02T00:00:00Z");
        final List<AuditEvent> events = new ArrayList<>();
        // 23:10..23:59 the day before: 5 uses, 2 unknown-key failures; 00:00..00:50: 3 uses, 1 expired
        for (int i = 0; i < 5; i++) {
            events.add(use(key, midnight.minus(Duration.ofMinutes(50 - i * 10))));
        }
        events.add(rejected(key, midnight.minusSeconds(61), AuditReasons.UNKNOWN));
        events.add(rejected(key, midnight.minusMillis(1), AuditReasons.UNKNOWN));
        for (int i = 0; i < 3; i++) {
            events.add(use(key, midnight.plus(Duration.ofMinutes(i * 20))));
        }
        events.add(rejected(key, midnight.plusSeconds(30), AuditReasons.EXPIRED));
        store(events);
        // stored twice: counted once
        store(events);

        final JsonNode hours = series("from=2026-10-01T23:00:00Z&to=2026-10-02T01:00:00Z&bucket=1h&group_by=outcome&key_id=" + key);
        assertThat(hours.get("source").asText()).isEqualTo("minute_counts");
        assertThat(texts(hours.get("buckets"))).containsExactly("2026-10-01T23:00:00Z", "2026-10-02T00:00:00Z");
        assertThat(counts(hours, "success")).containsExactly(5L, 3L);
        assertThat(counts(hours, "failure")).containsExactly(2L, 1L);
        assertThat(hours.get("total").asLong()).isEqualTo(11);

        // the same range given in +05:30 (04:30 and 06:30 there) answers the same UTC buckets
        final JsonNode offset = series("from=" + enc("2026-10-02T04:30:00+05:30") + "&to=" + enc("2026-10-02T06:30:00+05:30")
                + "&bucket=1h&group_by=outcome&key_id=" + key);
        assertThat(offset.get("buckets")).isEqualTo(hours.get("buckets"));
        assertThat(offset.get("series")).isEqualTo(hours.get("series"));

        // days run midnight to midnight UTC; a range inside a day is widened to whole days
        final JsonNode days = series("from=2026-10-01T12:00:00Z&to=2026-10-02T12:00:00Z&bucket=1d&key_id=" + key);
        assertThat(days.get("from").asText()).isEqualTo("2026-10-01T00:00:00Z");
        assertThat(days.get("to").asText()).isEqualTo("2026-10-03T00:00:00Z");
        assertThat(counts(days, "all")).containsExactly(7L, 4L);

        // failures by reason, in 5-minute buckets: the minute before midnight and the one after
        final JsonNode reasons = series("from=2026-10-01T23:55:00Z&to=2026-10-02T00:05:00Z&bucket=5m&group_by=reason"
                + "&outcome=failure&key_id=" + key);
        assertThat(counts(reasons, AuditReasons.UNKNOWN)).containsExactly(2L, 0L);
        assertThat(counts(reasons, AuditReasons.EXPIRED)).containsExactly(0L, 1L);
        assertThat(reasons.get("series")).hasSize(2);
    }

    @Test
    void aFilterTheCountsDoNotHoldIsGroupedFromTheEventsWithTheSameAnswer() {
        final long key = otherKeyId();
        final Instant start = Instant.parse("2026-10-05T10:00:00Z");
        final List<AuditEvent> events = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            events.add(i % 4 == 0 ? rejected(key, start.plusSeconds(i * 97L), AuditReasons.UNKNOWN)
                    : use(key, start.plusSeconds(i * 97L)));
        }
        store(events);
        final String range = "from=2026-10-05T10:00:00Z&to=2026-10-05T11:10:00Z&bucket=5m&group_by=type&key_id=" + key;

        final JsonNode counted = series(range);
        final JsonNode grouped = series(range + "&client_address=10.9.8.7");

        assertThat(counted.get("source").asText()).isEqualTo("minute_counts");
        assertThat(grouped.get("source").asText()).isEqualTo("events");
        assertThat(grouped.get("buckets")).isEqualTo(counted.get("buckets"));
        assertThat(grouped.get("series")).isEqualTo(counted.get("series"));
        assertThat(counted.get("total").asLong()).isEqualTo(40);
        assertThat(counts(counted, AuditEventTypes.API_KEY_REJECTED).stream().mapToLong(Long::longValue).sum()).isEqualTo(10);
    }

    @Test
    void requestsThroughTheServiceAreCountedAsTheyAreStored() {
        final var key = createKey(unique("counted"), null);
        final Instant before = now().minus(Duration.ofMinutes(1));
        for (int i = 0; i < 4; i++) {
            assertThat(http.get("/api/v1/whoami/", "X-API-Key", key.getValue()).status()).isEqualTo(200);
        }
        final String query = "from=" + enc(before.toString()) + "&to=" + enc(now().plus(Duration.ofMinutes(2)).toString())
                + "&bucket=1m&type=api_key.used&key_id=" + key.getKey();
        await().atMost(Duration.ofSeconds(10)).until(() -> series(query).get("total").asLong() == 4);
        assertThat(series(query).get("series")).singleElement()
                .satisfies(s -> assertThat(s.get("group").asText()).isEqualTo("all"));
    }

    @Test
    void badInputIs400WithTheReasonInJson() {
        final Map<String, String> cases = Map.of(
                "bucket=2m", "'bucket': '2m' is not one of 1m, 5m, 1h, 1d",
                "group_by=key", "'group_by': 'key' is not one of outcome, type, reason",
                "from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z", "'from' must be before 'to'",
                "from=yesterday", "'from': 'yesterday' is not an ISO 8601 time such as 2026-11-25T10:00:00Z",
                "key_id=abc", "'key_id': 'abc' is not a whole number",
                "from=2026-01-01T00:00:00Z&to=2026-01-08T00:01:00Z&bucket=1m",
                "from 'from' to 'to' is 10081 buckets of 1m; at most 10080: choose a wider bucket or a shorter range",
                "limit=5", "unknown parameter 'limit'; known: bucket, client_address, fingerprint, from, group_by, key_id, "
                        + "key_name, outcome, path, reason, to, type, user_id");
        cases.forEach((query, message) -> {
            final Http.Answer answer = http.get("/api/v1/audit/timeseries/?" + query, "X-API-Key", reader);
            assertThat(answer.status()).as(query).isEqualTo(400);
            assertThat(answer.header("Content-Type")).as(query).startsWith("application/json");
            assertThat(answer.json().get("code").asInt()).as(query).isEqualTo(400);
            assertThat(answer.json().get("message").asText()).as(query).isEqualTo(message);
        });
        // a week of minutes is the most
        assertThat(http.get("/api/v1/audit/timeseries/?from=2026-01-01T00:00:00Z&to=2026-01-08T00:00:00Z&bucket=1m",
                "X-API-Key", reader).status()).isEqualTo(200);
    }

    @Test
    void whoMayRead() {
        final var plain = createKey(unique("plain"), null);
        final String security = signIn(createUser("security"));
        final String agent = signIn(createUser("agent"));
        final String path = "/api/v1/audit/timeseries/";

        assertThat(http.get(path, "X-API-Key", reader).status()).isEqualTo(200);
        assertThat(http.get(path.substring(0, path.length() - 1), "X-API-Key", reader).status()).isEqualTo(200);
        assertThat(http.get(path, "Authorization", "Bearer " + security).status()).isEqualTo(200);
        assertThat(http.get(path, "X-API-Key", plain.getValue()).status()).isEqualTo(403);
        assertThat(http.get(path, "Authorization", "Bearer " + agent).status()).isEqualTo(403);
        final Http.Answer anonymous = http.get(path);
        assertThat(anonymous.status()).isEqualTo(401);
        assertThat(anonymous.json().get("code").asInt()).isEqualTo(401);
    }

    @Test
    void aBreakdownCountsEveryMatchingEventPerValue() {
        final long key = otherKeyId();
        final long other = otherKeyId();
        final Instant start = Instant.parse("2026-10-08T10:00:00Z");
        final List<AuditEvent> events = new ArrayList<>();
        // the key: 30 uses from 10.9.8.7 and 12 from 10.9.8.8 (3 of those rejected), one use from 10.9.8.9 outside the range
        for (int i = 0; i < 30; i++) {
            events.add(use(key, start.plusSeconds(i * 60L), "10.9.8.7"));
        }
        for (int i = 0; i < 12; i++) {
            events.add(i < 3 ? rejected(key, start.plusSeconds(i * 50L + 7), AuditReasons.INACTIVE, "10.9.8.8", "hmac-sha256:b" + key)
                    : use(key, start.plusSeconds(i * 50L + 7), "10.9.8.8"));
        }
        events.add(use(key, start.minusSeconds(1), "10.9.8.9"));
        // the attacker's address tried the fingerprint against the key and another key
        events.add(rejected(other, start.plusSeconds(3), AuditReasons.INACTIVE, "10.9.8.8", "hmac-sha256:b" + key));
        store(events);
        store(events);
        final String range = "from=2026-10-08T10:00:00Z&to=2026-10-08T11:00:00Z";

        final JsonNode addresses = breakdown(range + "&by=client_address&key_id=" + key);
        assertThat(addresses.get("by").asText()).isEqualTo("client_address");
        assertThat(addresses.get("more").asBoolean()).isFalse();
        assertThat(addresses.get("groups")).hasSize(2);
        final JsonNode first = addresses.get("groups").get(0);
        assertThat(first.get("value").asText()).isEqualTo("10.9.8.7");
        assertThat(first.get("events").asLong()).isEqualTo(30);
        assertThat(first.get("failures").asLong()).isZero();
        assertThat(first.get("first_seen").asText()).isEqualTo("2026-10-08T10:00:00Z");
        assertThat(first.get("last_seen").asText()).isEqualTo("2026-10-08T10:29:00Z");
        final JsonNode second = addresses.get("groups").get(1);
        assertThat(second.get("value").asText()).isEqualTo("10.9.8.8");
        assertThat(second.get("events").asLong()).isEqualTo(12);
        assertThat(second.get("failures").asLong()).isEqualTo(3);

        // the keys an address touched, with their names; numbers stay numbers
        final JsonNode keys = breakdown(range + "&by=key_id&client_address=10.9.8.8");
        assertThat(keys.get("groups")).hasSize(2);
        assertThat(keys.get("groups").get(0).get("value").isNumber()).isTrue();
        assertThat(keys.get("groups").get(0).get("value").asLong()).isEqualTo(key);
        assertThat(keys.get("groups").get(0).get("key_name").asText()).isEqualTo("k");
        assertThat(keys.get("groups").get(1).get("value").asLong()).isEqualTo(other);
        assertThat(keys.get("groups").get(1).get("events").asLong()).isEqualTo(1);

        // the addresses a fingerprint came from, and a limit that cuts the list says there is more
        final JsonNode tried = breakdown(range + "&by=client_address&limit=1&fingerprint=" + enc("hmac-sha256:b" + key));
        assertThat(tried.get("groups")).singleElement().satisfies(g -> {
            assertThat(g.get("value").asText()).isEqualTo("10.9.8.8");
            assertThat(g.get("events").asLong()).isEqualTo(4);
            assertThat(g.get("failures").asLong()).isEqualTo(4);
        });
        assertThat(tried.get("more").asBoolean()).isFalse();
        final JsonNode cut = breakdown(range + "&by=client_address&limit=1&key_id=" + key);
        assertThat(cut.get("groups")).hasSize(1);
        assertThat(cut.get("more").asBoolean()).isTrue();

        // nothing matches: no groups, not an error
        assertThat(breakdown(range + "&by=user_id&key_id=" + key).get("groups")).isEmpty();
    }

    @Test
    void aBreakdownRefusesBadInputWith400AndIsOpenToWhoMayReadTheTrail() {
        final Map<String, String> cases = Map.of(
                "", "'by': is required",
                "by=user_agent", "'by': 'user_agent' is not one of client_address, key_id, user_id, fingerprint, type, reason, path",
                "by=key_id&limit=0", "'limit': must be between 1 and 1000",
                "by=key_id&limit=many", "'limit': 'many' is not a whole number",
                "by=key_id&user_id=x", "'user_id': 'x' is not a whole number",
                "by=key_id&from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z", "'from' must be before 'to'",
                "by=key_id&bucket=1h", "unknown parameter 'bucket'; known: by, client_address, fingerprint, from, key_id, "
                        + "key_name, limit, outcome, path, reason, to, type, user_id");
        cases.forEach((query, message) -> {
            final Http.Answer answer = http.get("/api/v1/audit/breakdown/?" + query, "X-API-Key", reader);
            assertThat(answer.status()).as(query).isEqualTo(400);
            assertThat(answer.header("Content-Type")).as(query).startsWith("application/json");
            assertThat(answer.json().get("code").asInt()).as(query).isEqualTo(400);
            assertThat(answer.json().get("message").asText()).as(query).isEqualTo(message);
        });
        final String path = "/api/v1/audit/breakdown/?by=client_address";
        assertThat(http.get(path, "X-API-Key", reader).status()).isEqualTo(200);
        assertThat(http.get(path, "X-API-Key", createKey(unique("plain"), null).getValue()).status()).isEqualTo(403);
        assertThat(http.get(path).status()).isEqualTo(401);
    }

    @Test
    void theSummaryReadsWholeMinutesFromTheCountsAndTheEndsFromTheEventsWithTheSameAnswer() {
        final long key = otherKeyId();
        final Instant start = Instant.parse("2026-10-11T10:00:00Z");
        final List<AuditEvent> events = new ArrayList<>();
        // an event every 13 s for 10 minutes; every fifth one rejected
        for (int i = 0; i < 47; i++) {
            events.add(i % 5 == 0 ? rejected(key, start.plusSeconds(i * 13L), AuditReasons.UNKNOWN) : use(key, start.plusSeconds(i * 13L)));
        }
        store(events);
        store(events);
        // from and to inside minutes: 10:01:20 to 10:08:40
        final Instant from = start.plusSeconds(80);
        final Instant to = start.plusSeconds(520);
        final List<AuditEvent> inRange = events.stream()
                .filter(e -> !e.occurredAt().isBefore(from) && e.occurredAt().isBefore(to)).toList();
        final long uses = inRange.stream().filter(e -> e.type().equals(AuditEventTypes.API_KEY_USED)).count();
        final long failures = inRange.size() - uses;
        assertThat(uses).isPositive();
        assertThat(failures).isPositive();

        for (String range : List.of("from=" + enc(from.toString()) + "&to=" + enc(to.toString()),
                // a range inside one minute is read from the events alone
                "from=" + enc(start.plusSeconds(61).toString()) + "&to=" + enc(start.plusSeconds(119).toString()))) {
            final Http.Answer answer = http.get("/api/v1/audit/summary/?" + range, "X-API-Key", reader);
            assertThat(answer.status()).as(answer.body()).isEqualTo(200);
            final JsonNode summary = answer.json();
            final boolean whole = range.contains(enc(from.toString()));
            final Instant f = whole ? from : start.plusSeconds(61);
            final Instant t = whole ? to : start.plusSeconds(119);
            final List<AuditEvent> expected = events.stream()
                    .filter(e -> !e.occurredAt().isBefore(f) && e.occurredAt().isBefore(t)).toList();
            final Map<String, Long> byType = new java.util.TreeMap<>();
            expected.forEach(e -> byType.merge(e.type() + "/" + e.outcome(), 1L, Long::sum));
            final Map<String, Long> answered = new java.util.TreeMap<>();
            summary.get("by_type_and_outcome").forEach(row ->
                    answered.put(row.get("type").asText() + "/" + row.get("outcome").asText(), row.get("count").asLong()));
            assertThat(answered).as(range).isEqualTo(byType);
            final AuditEvent lastUse = expected.stream().filter(e -> e.type().equals(AuditEventTypes.API_KEY_USED))
                    .reduce((a, b) -> b).orElseThrow();
            assertThat(summary.get("uses_per_key")).as(range).singleElement().satisfies(row -> {
                assertThat(row.get("key_id").asLong()).isEqualTo(key);
                assertThat(row.get("key_name").asText()).isEqualTo("k");
                assertThat(row.get("uses").asLong()).isEqualTo(byType.get(AuditEventTypes.API_KEY_USED + "/success"));
                assertThat(Instant.parse(row.get("last_used_at").asText())).isEqualTo(lastUse.occurredAt());
            });
        }
    }

    @Test
    void theSummaryOfDaysReadsTheKeptCountsAndTheEndsFromTheEventsWithTheSameAnswer() {
        final long key = otherKeyId();
        final String tag = UUID.randomUUID().toString().substring(0, 6);
        final Instant start = Instant.parse("2026-09-14T15:00:00Z");
        final List<AuditEvent> events = new ArrayList<>();
        // three days of rejected keys (fingerprints skewed, some with no address) and failed sign-ins
        for (int i = 0; i < 420; i++) {
            final Instant at = start.plusSeconds(i * 631L);
            final String address = i % 11 == 0 ? null : "198.51.100." + (i % 7) * (i % 2);
            if (i % 4 == 3) {
                events.add(AuditEvent.builder(AuditEventTypes.LOGIN_FAILED, AuditEvent.FAILURE, at).reason(AuditReasons.BAD_PASSWORD)
                        .request(address, "ua", "POST", "/api/v1/token/").status(401).build());
            } else {
                events.add(rejected(key, at, AuditReasons.UNKNOWN, address, "hmac-sha256:" + tag + (i % 5) * (i % 2)));
            }
        }
        store(events);
        store(events.subList(100, 300));
        // whole days (15 and 16 September), whole hours, whole minutes and seconds at the ends
        final Instant from = Instant.parse("2026-09-14T16:20:30Z");
        final Instant to = Instant.parse("2026-09-17T08:10:15Z");
        final List<AuditEvent> inRange = events.stream()
                .filter(e -> !e.occurredAt().isBefore(from) && e.occurredAt().isBefore(to)).toList();

        final Http.Answer answer = http.get("/api/v1/audit/summary/?from=" + enc(from.toString()) + "&to=" + enc(to.toString()),
                "X-API-Key", reader);
        assertThat(answer.status()).as(answer.body()).isEqualTo(200);
        final JsonNode summary = answer.json();

        final Map<String, Long> failures = new java.util.TreeMap<>();
        inRange.stream().filter(e -> e.clientAddress() != null).forEach(e -> failures.merge(e.clientAddress(), 1L, Long::sum));
        final Map<String, Long> answeredFailures = new java.util.TreeMap<>();
        summary.get("top_failing_client_addresses").forEach(row ->
                answeredFailures.put(row.get("client_address").asText(), row.get("failures").asLong()));
        assertThat(failures).hasSizeLessThan(AuditSearch.TOP_ADDRESSES).hasSizeGreaterThan(3);
        assertThat(answeredFailures).isEqualTo(failures);

        final Map<String, String> fingerprints = new java.util.TreeMap<>();
        inRange.stream().filter(e -> e.fingerprint() != null).map(AuditEvent::fingerprint).distinct().forEach(f -> {
            final List<AuditEvent> tried = inRange.stream().filter(e -> f.equals(e.fingerprint())).toList();
            fingerprints.put(f, tried.size() + " from " + tried.stream().map(AuditEvent::clientAddress)
                    .filter(java.util.Objects::nonNull).distinct().count() + ", " + tried.get(0).occurredAt()
                    + " to " + tried.get(tried.size() - 1).occurredAt());
        });
        final Map<String, String> answeredFingerprints = new java.util.TreeMap<>();
        summary.get("top_failed_key_fingerprints").forEach(row -> answeredFingerprints.put(row.get("fingerprint").asText(),
                row.get("attempts").asLong() + " from " + row.get("client_addresses").asLong() + ", "
                        + Instant.parse(row.get("first_seen").asText()) + " to " + Instant.parse(row.get("last_seen").asText())));
        assertThat(fingerprints).hasSizeLessThan(AuditSearch.TOP_FINGERPRINTS).hasSizeGreaterThan(3);
        assertThat(answeredFingerprints).isEqualTo(fingerprints);

        final Map<String, Long> byType = new java.util.TreeMap<>();
        inRange.forEach(e -> byType.merge(e.type() + "/" + e.outcome(), 1L, Long::sum));
        final Map<String, Long> answeredTypes = new java.util.TreeMap<>();
        summary.get("by_type_and_outcome").forEach(row ->
                answeredTypes.put(row.get("type").asText() + "/" + row.get("outcome").asText(), row.get("count").asLong()));
        assertThat(answeredTypes).isEqualTo(byType);
    }

    private JsonNode breakdown(String query) {
        final Http.Answer answer = http.get("/api/v1/audit/breakdown/?" + query, "X-API-Key", reader);
        assertThat(answer.status()).as(answer.body()).isEqualTo(200);
        return answer.json();
    }

    private JsonNode series(String query) {
        final Http.Answer answer = http.get("/api/v1/audit/timeseries/?" + query, "X-API-Key", reader);
        assertThat(answer.status()).as(answer.body()).isEqualTo(200);
        return answer.json();
    }

    private static List<Long> counts(JsonNode series, String group) {
        for (JsonNode s : series.get("series")) {
            if (group.equals(s.get("group").asText())) {
                final List<Long> counts = new ArrayList<>();
                s.get("counts").forEach(c -> counts.add(c.asLong()));
                return counts;
            }
        }
        throw new AssertionError("no series '" + group + "' in " + series);
    }

    private static List<String> texts(JsonNode array) {
        final List<String> texts = new ArrayList<>();
        array.forEach(n -> texts.add(n.asText()));
        return texts;
    }

    private void store(List<AuditEvent> events) {
        new AuditStore(jdbi, AuditCounts.steps()).insertAll(events);
    }

    /** A key id no key of the service has and no other test uses (events of a key the test made up, on days of its own). */
    private static long otherKeyId() {
        return OTHER_KEYS.incrementAndGet();
    }

    private static AuditEvent use(long key, Instant at) {
        return use(key, at, "10.9.8.7");
    }

    private static AuditEvent use(long key, Instant at, String address) {
        return AuditEvent.builder(AuditEventTypes.API_KEY_USED, AuditEvent.SUCCESS, at).key(key, "k", "abcd1234")
                .request(address, "ua", "GET", "/api/v1/whoami/").status(200).build();
    }

    private static AuditEvent rejected(long key, Instant at, String reason, String address, String fingerprint) {
        return AuditEvent.builder(AuditEventTypes.API_KEY_REJECTED, AuditEvent.FAILURE, at).reason(reason)
                .key(key, "k", "abcd1234").request(address, "ua", "GET", "/api/v1/whoami/").status(401)
                .fingerprint(fingerprint).build();
    }

    private static AuditEvent rejected(long key, Instant at, String reason) {
        return AuditEvent.builder(AuditEventTypes.API_KEY_REJECTED, AuditEvent.FAILURE, at).reason(reason)
                .key(key, "k", "abcd1234").request("10.9.8.7", "ua", "GET", "/api/v1/whoami/").status(401).build();
    }

    private Map.Entry<Long, String> createKey(String name, String scopes) {
        final JsonNode created = admin.json("create-api-key", scopes == null ? Map.of("name", name)
                : Map.of("name", name, "scopes", scopes));
        return Map.entry(created.get("api_key").get("id").asLong(), created.get("key").asText());
    }

    private String createUser(String role) {
        return TestPeople.create(admin, role).username();
    }

    private String signIn(String username) {
        return TestPeople.accessToken(http, username);
    }

    private static String unique(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    private static String enc(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }
}
