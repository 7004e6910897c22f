package io.authservice.console;

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
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.logging.Level;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The console in a real browser (Debian's headless Chromium through chromedriver) against the whole
 * application: sign-in, the overview's chart drawn from the stored events, the events table's
 * filters and links, the CSV export of the current filter, the refusal page for people without the
 * role, deactivating a key (refused on its next request), and the Content-Security-Policy holding (the header sent, no violation in the browser's log).
 * Each test stores events of its own key id and fingerprint a few minutes ago.
 */
abstract class ConsoleBrowserContract {
    private static final Duration WAIT = Duration.ofSeconds(20);

    protected abstract DropwizardAppExtension<AuthServiceConfiguration> app();

    /** Now on the service's clock (see {@link io.authservice.testing.TestClock#fromSystem()}): what its events are stamped by. */
    private Instant now() {
        return ((io.authservice.testing.TestAuthServiceApplication) app().getApplication()).testClock().instant();
    }

    protected abstract TestDatabases.Db db();

    private AdminClient admin;
    private Http http;
    private Jdbi jdbi;
    /** One browser for the class (starting Chromium is the slow part); each test starts signed out. */
    private static WebDriver driver;
    private static WebDriverWait wait;

    /** Whether this database runs every page's test, or only sign-in, overview and refusal (the rest are the same SQL). */
    protected abstract boolean everyPage();

    @BeforeAll
    static void startBrowser() throws IOException {
        driver = chromium(Files.createTempDirectory("console-chromium-"));
        wait = new WebDriverWait(driver, WAIT);
    }

    @AfterAll
    static void stopBrowser() {
        if (driver != null) {
            driver.quit();
        }
    }

    @BeforeEach
    void setUp() {
        admin = new AdminClient(app().client(), app().getAdminPort());
        http = new Http(app().getLocalPort());
        jdbi = Databases.configure(Jdbi.create(db().url(), db().user(), db().password()));
        // signed out: the refresh cookie (path /api/v1/token) is not the page's to delete, so sign out as a person does
        driver.get(base() + "#/signin");
        ((JavascriptExecutor) driver).executeAsyncScript("const done = arguments[arguments.length - 1];"
                + " fetch('/api/v1/token/logout/', {method: 'POST', headers: {'Content-Type': 'application/json'}, body: '{}'})"
                + ".then(() => done(), () => done());");
        driver.manage().deleteAllCookies();
        driver.manage().logs().get(LogType.BROWSER);
    }

    /** Headless Chromium with a fresh profile, 1280x800, its console log kept; the driver named so none is fetched. */
    static WebDriver chromium(Path profile) {
        final ChromeOptions options = new ChromeOptions();
        options.setBinary("/usr/bin/chromium");
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
                "--user-data-dir=" + profile, "--window-size=1280,800");
        final LoggingPreferences logs = new LoggingPreferences();
        logs.enable(LogType.BROWSER, Level.ALL);
        options.setCapability("goog:loggingPrefs", logs);
        final ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File("/usr/bin/chromedriver")).usingAnyFreePort().build();
        return new ChromeDriver(service, options);
    }

    @Test
    void theOverviewChartPlotsWhatTheApiCounts() {
        final long key = otherKeyId();
        final Instant now = now();
        final List<AuditEvent> events = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            events.add(use(key, now.minus(Duration.ofMinutes(10 + i))));
        }
        for (int i = 0; i < 3; i++) {
            events.add(rejected(key, now.minus(Duration.ofMinutes(20 + i)), AuditReasons.UNKNOWN, "hmac-sha256:" + key));
        }
        store(events);
        final User user = createUser("security");
        signIn(user);
        final String bearer = bearer(user);
        awaitStored("type=login.succeeded&user_id=" + user.id(), bearer, 1);

        driver.get(base() + "#/overview?range=1h");
        final WebElement chart = wait.until(ExpectedConditions.presenceOfElementLocated(By.id("outcome-chart")));
        wait.until(d -> "overview".equals(d.findElement(By.id("main")).getAttribute("data-loaded")));

        final Map<?, ?> plotted = (Map<?, ?>) js("const u = arguments[0].uplot; return {x: u.data[0], "
                + "success: u.data[1], failure: u.data[2], width: u.width, canvas: arguments[0].querySelector('canvas').width};", chart);
        final List<?> x = (List<?>) plotted.get("x");
        final JsonNode api = get("/api/v1/audit/timeseries/?bucket=1m&group_by=outcome&from="
                + enc(Instant.ofEpochSecond(((Number) x.get(0)).longValue()).toString())
                + "&to=" + enc(Instant.ofEpochSecond(((Number) x.get(x.size() - 1)).longValue() + 60).toString()), bearer);
        assertThat(x).hasSize(api.get("buckets").size());
        assertThat(longs(plotted.get("success"))).isEqualTo(counts(api, "success"));
        assertThat(longs(plotted.get("failure"))).isEqualTo(counts(api, "failure"));
        assertThat(longs(plotted.get("success")).stream().mapToLong(Long::longValue).sum()).isGreaterThanOrEqualTo(6);
        assertThat(longs(plotted.get("failure")).stream().mapToLong(Long::longValue).sum()).isGreaterThanOrEqualTo(3);
        assertThat(((Number) plotted.get("canvas")).intValue()).isPositive();

        // the stacked reasons chart keeps the API's counts per reason; the fingerprint is listed with its page
        final Map<?, ?> reasons = (Map<?, ?>) js("return arguments[0].series;", driver.findElement(By.id("reason-chart")));
        assertThat(longs(reasons.get(AuditReasons.UNKNOWN)).stream().mapToLong(Long::longValue).sum()).isGreaterThanOrEqualTo(3);
        assertThat(driver.findElement(By.id("top-fingerprints")).getText()).contains("hmac-sha256:" + key);
        // times carry UTC on hover
        assertThat(driver.findElement(By.cssSelector("#top-fingerprints time")).getAttribute("title")).endsWith("Z UTC");
        assertNoCspViolation();
    }

    @Test
    void filteringTheEventsAndFollowingAFingerprintNarrowsTheTable() {
        Assumptions.assumeTrue(everyPage(), "run on H2");
        final long key = otherKeyId();
        final Instant now = now();
        final String tried = "hmac-sha256:tried-" + key;
        final List<AuditEvent> events = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            events.add(use(key, now.minus(Duration.ofMinutes(5 + i))));
            events.add(rejected(key, now.minus(Duration.ofMinutes(15 + i)), AuditReasons.UNKNOWN, tried));
        }
        events.add(rejected(key, now.minus(Duration.ofMinutes(30)), AuditReasons.EXPIRED, "hmac-sha256:other-" + key));
        store(events);
        signIn(createUser("security"));

        driver.get(base() + "#/events");
        wait.until(ExpectedConditions.presenceOfElementLocated(By.id("events-filters")));
        driver.findElement(By.id("filter-key_id")).sendKeys(String.valueOf(key));
        new org.openqa.selenium.support.ui.Select(driver.findElement(By.id("filter-outcome"))).selectByValue("failure");
        driver.findElement(By.id("filter-submit")).click();
        wait.until(d -> d.getCurrentUrl().contains("outcome=failure"));
        wait.until(d -> d.findElements(By.cssSelector("#events-table tbody tr")).size() == 5);
        assertThat(driver.findElements(By.cssSelector("#events-table td[data-column=outcome]")))
                .allSatisfy(cell -> assertThat(cell.getText()).isEqualTo("failure"));

        final WebElement fingerprint = driver.findElements(By.cssSelector("#events-table a.narrow-fingerprint")).stream()
                .filter(a -> a.getText().startsWith("hmac-sha256:tried-")).findFirst().orElseThrow();
        fingerprint.click();
        wait.until(d -> d.getCurrentUrl().contains("fingerprint=" + enc(tried)));
        wait.until(d -> d.findElements(By.cssSelector("#events-table tbody tr")).size() == 4);
        assertThat(driver.findElements(By.cssSelector("#events-table td[data-column=fingerprint]")))
                .allSatisfy(cell -> assertThat(cell.getText()).isEqualTo(tried));
        assertThat(driver.findElement(By.id("filter-fingerprint")).getAttribute("value")).isEqualTo(tried);
        assertNoCspViolation();
    }

    @Test
    void theCsvExportIsTheApisCsvOfTheSameFilter() {
        Assumptions.assumeTrue(everyPage(), "run on H2");
        final long key = otherKeyId();
        final Instant now = now();
        final List<AuditEvent> events = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            events.add(i % 3 == 0 ? rejected(key, now.minus(Duration.ofMinutes(3 + i)), AuditReasons.INACTIVE, "hmac-sha256:x" + key)
                    : use(key, now.minus(Duration.ofMinutes(3 + i))));
        }
        store(events);
        final User user = createUser("admin");
        signIn(user);

        driver.get(base() + "#/events?key_id=" + key);
        wait.until(d -> d.findElements(By.cssSelector("#events-table tbody tr")).size() == 7);
        final String link = driver.findElement(By.id("export-csv")).getAttribute("href");
        assertThat(link).endsWith("/api/v1/audit/events/?key_id=" + key + "&format=csv");
        final String downloaded = (String) ((JavascriptExecutor) driver).executeAsyncScript(
                "const done = arguments[arguments.length - 1]; fetch(arguments[0]).then(r => r.text()).then(done, e => done('failed: ' + e));",
                link);

        final Http.Answer api = http.get("/api/v1/audit/events/?key_id=" + key, "Authorization", "Bearer " + bearer(user),
                "Accept", "text/csv");
        assertThat(api.status()).isEqualTo(200);
        assertThat(downloaded.lines().toList()).isEqualTo(api.body().lines().toList());
        assertThat(downloaded.lines()).hasSize(8);
    }

    @Test
    void theKeyPageCountsTheAddressesAsTheBreakdownApiDoes() {
        Assumptions.assumeTrue(everyPage(), "run on H2");
        final long key = otherKeyId();
        final Instant now = now();
        final List<AuditEvent> events = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            events.add(use(key, now.minus(Duration.ofMinutes(5 + i))));
        }
        for (int i = 0; i < 3; i++) {
            events.add(rejected(key, now.minus(Duration.ofMinutes(30 + i)), AuditReasons.INACTIVE, "hmac-sha256:k" + key));
        }
        store(events);
        final User user = createUser("security");
        signIn(user);

        driver.get(base() + "#/key/" + key + "?range=24h");
        wait.until(d -> d.findElements(By.cssSelector("#touched-addresses tbody tr")).size() == 2);
        final List<List<String>> shown = driver.findElements(By.cssSelector("#touched-addresses tbody tr")).stream()
                .map(row -> List.of(row.findElement(By.cssSelector("[data-column=value]")).getText(),
                        row.findElement(By.cssSelector("[data-column=events]")).getText(),
                        row.findElement(By.cssSelector("[data-column=failures]")).getText()))
                .toList();

        final Instant to = now.plus(Duration.ofMinutes(1));
        final JsonNode api = get("/api/v1/audit/breakdown/?by=client_address&key_id=" + key + "&from="
                + enc(to.minus(Duration.ofDays(1)).toString()) + "&to=" + enc(to.toString()), bearer(user));
        final List<List<String>> counted = new ArrayList<>();
        api.get("groups").forEach(g -> counted.add(List.of(g.get("value").asText(), g.get("events").asText(),
                g.get("failures").asText())));
        assertThat(shown).isEqualTo(counted)
                .containsExactly(List.of("10.9.8.7", "7", "0"), List.of("198.51.100.9", "3", "3"));
        assertNoCspViolation();
    }

    @Test
    void aKeyDeactivatedInTheConsoleIsRefusedOnItsNextRequest() {
        final com.fasterxml.jackson.databind.JsonNode created = admin.json("create-api-key",
                Map.of("name", "console-" + UUID.randomUUID().toString().substring(0, 8)));
        final long id = created.get("api_key").get("id").asLong();
        final String key = created.get("key").asText();
        assertThat(http.get("/api/v1/whoami/", "X-API-Key", key).status()).isEqualTo(200);
        final User person = createUser("security");
        signIn(person);

        driver.get(base() + "#/key/" + id);
        wait.until(ExpectedConditions.elementToBeClickable(By.id("deactivate"))).click();
        wait.until(ExpectedConditions.elementToBeClickable(By.id("deactivate-confirm"))).click();
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("deactivated")));

        await().atMost(WAIT).untilAsserted(() ->
                assertThat(http.get("/api/v1/whoami/", "X-API-Key", key).status()).isEqualTo(401));
        final String bearer = bearer(person);
        awaitStored("type=api_key.deactivated&key_id=" + id, bearer, 1);
        final JsonNode event = get("/api/v1/audit/events/?type=api_key.deactivated&key_id=" + id, bearer).get("events").get(0);
        assertThat(event.get("actor").asText()).isEqualTo(person.username());
        assertThat(event.get("surface").asText()).isEqualTo("api");
        assertNoCspViolation();
    }

    @Test
    void aPersonWithoutTheRoleSeesTheRefusal() {
        signIn(createUser("agent"));
        final WebElement refused = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("refused")));
        assertThat(refused.getText()).isEqualTo("You need the security role");
        assertThat(driver.findElements(By.id("outcome-chart"))).isEmpty();
    }

    @Test
    void aWrongPasswordIsSaidInWords() {
        Assumptions.assumeTrue(everyPage(), "run on H2");
        final User user = createUser("security");
        driver.get(base());
        wait.until(ExpectedConditions.elementToBeClickable(By.id("username"))).sendKeys(user.username());
        driver.findElement(By.id("password")).sendKeys("not the password");
        driver.findElement(By.id("signin-submit")).click();
        wait.until(d -> d.findElement(By.id("signin-message")).getText().contains("do not match an active account"));
    }

    @Test
    void theConsoleIsServedUnderAStrictContentSecurityPolicy() {
        Assumptions.assumeTrue(everyPage(), "run on H2");
        for (String path : List.of("/console/", "/console/app.js", "/console/vendor/uplot/uPlot.esm.js")) {
            final Http.Answer answer = http.get(path);
            assertThat(answer.status()).as(path).isEqualTo(200);
            ConsoleHeadersFilter.HEADERS.forEach((name, value) -> assertThat(answer.header(name)).as(path + " " + name).isEqualTo(value));
        }
        assertThat(http.get("/console/").body()).doesNotContain("<script>").doesNotContain(" on");
        assertThat(http.get("/api/v1/ping/").header("Content-Security-Policy")).isNull();
    }

    // ------------------------------------------------------------------ helpers

    private String base() {
        return "http://127.0.0.1:" + app().getLocalPort() + "/console/";
    }

    private void signIn(User user) {
        driver.get(base());
        wait.until(ExpectedConditions.elementToBeClickable(By.id("username"))).sendKeys(user.username());
        driver.findElement(By.id("password")).sendKeys(TestPeople.PASSWORD);
        driver.findElement(By.id("signin-submit")).click();
        wait.until(d -> !d.getCurrentUrl().contains("#/signin"));
    }

    private void assertNoCspViolation() {
        final List<String> messages = driver.manage().logs().get(LogType.BROWSER).getAll().stream()
                .map(LogEntry::getMessage).toList();
        assertThat(messages).noneMatch(m -> m.contains("Content Security Policy") || m.contains("Content-Security-Policy"));
        assertThat(messages).noneMatch(m -> m.contains("SEVERE") || m.contains("Uncaught"));
    }

    private Object js(String script, Object... args) {
        return ((JavascriptExecutor) driver).executeScript(script, args);
    }

    private void awaitStored(String query, String bearer, int count) {
        await().atMost(WAIT).until(() -> get("/api/v1/audit/events/?limit=10&" + query, bearer).get("events").size() >= count);
    }

    private JsonNode get(String path, String bearer) {
        final Http.Answer answer = http.get(path, "Authorization", "Bearer " + bearer);
        assertThat(answer.status()).as(answer.body()).isEqualTo(200);
        return answer.json();
    }

    private static List<Long> longs(Object list) {
        return ((List<?>) list).stream().map(n -> ((Number) n).longValue()).toList();
    }

    private static List<Long> counts(JsonNode series, String group) {
        for (JsonNode s : series.get("series")) {
            if (group.equals(s.get("group").asText())) {
                final List<Long> counts = new ArrayList<>();
                s.get("counts").forEach(c -> counts.add(c.asLong()));
                return counts;
            }
        }
        final List<Long> zeros = new ArrayList<>();
        series.get("buckets").forEach(b -> zeros.add(0L));
        return zeros;
    }

    private void store(List<AuditEvent> events) {
        new AuditStore(jdbi, AuditCounts.steps()).insertAll(events);
    }

    private static long otherKeyId() {
        return 900_000_000L + ThreadLocalRandom.current().nextLong(1_000_000_000L);
    }

    private static AuditEvent use(long key, Instant at) {
        return AuditEvent.builder(AuditEventTypes.API_KEY_USED, AuditEvent.SUCCESS, at).key(key, "k-" + key, "abcd1234")
                .request("10.9.8.7", "ua", "GET", "/api/v1/whoami/").status(200).build();
    }

    private static AuditEvent rejected(long key, Instant at, String reason, String fingerprint) {
        return AuditEvent.builder(AuditEventTypes.API_KEY_REJECTED, AuditEvent.FAILURE, at).reason(reason)
                .key(key, "k-" + key, "abcd1234").request("198.51.100.9", "ua", "GET", "/api/v1/whoami/").status(401)
                .fingerprint(fingerprint).build();
    }

    record User(long id, String username) {
    }

    private User createUser(String role) {
        final TestPeople.Person person = TestPeople.create(admin, role);
        return new User(person.id(), person.username());
    }

    private String bearer(User user) {
        return TestPeople.accessToken(http, user.username());
    }

    private static String enc(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }
}
