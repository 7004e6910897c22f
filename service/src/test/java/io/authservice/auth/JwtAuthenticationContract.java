package io.authservice.auth;

import com.fasterxml.jackson.databind.JsonNode;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.source.ImmutableJWKSet;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import io.authservice.AuthServiceConfiguration;
import io.authservice.audit.AuditEvent;
import io.authservice.audit.AuditEventTypes;
import io.authservice.audit.AuditReasons;
import io.authservice.auth.JwtTokens;
import io.authservice.testing.AdminClient;
import io.authservice.testing.Http;
import io.authservice.testing.RecordingAuditLog;
import io.authservice.testing.TestAuthServiceApplication;
import io.dropwizard.testing.junit5.DropwizardAppExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.UnaryOperator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * People's JWTs through the whole running service on a real database: sign-in, the bad-token
 * table, the seed's forwarding example, refresh rotation and reuse detection, sign-out, JWKS,
 * key rotation and the chain order. Run once per database by its subclasses, each with a signing
 * key ({@code current.pem}) and a previous key that still verifies ({@code previous.pem}).
 */
abstract class JwtAuthenticationContract {
    static final String BODY_401 = "{\"code\":401,\"message\":\"Credentials are required to access this resource.\"}";
    static final String PASSWORD = "correct horse battery staple";

    protected abstract DropwizardAppExtension<AuthServiceConfiguration> app();

    protected abstract Path dir();

    /** Writes both keys into {@code dir} and returns the {@code jwt:} config naming them. */
    static String jwtConfig(Path dir) {
        final SecureRandom random = new SecureRandom();
        try {
            Files.createDirectories(dir);
            Files.writeString(dir.resolve("current.pem"), JwtKeys.toPem(JwtKeys.generate(random)));
            Files.writeString(dir.resolve("previous.pem"), JwtKeys.toPem(JwtKeys.generate(random)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return "jwt: {signingKey: {file: \"" + dir.resolve("current.pem") + "\"}, previousKeys: [{file: \""
                + dir.resolve("previous.pem") + "\"}]}";
    }

    private AdminClient admin;
    private Http http;
    private ECKey current;
    private ECKey previous;

    @BeforeEach
    void setUp() throws IOException {
        admin = new AdminClient(app().client(), app().getAdminPort());
        http = new Http(app().getLocalPort());
        current = JwtKeys.parse(Files.readString(dir().resolve("current.pem")), "current");
        previous = JwtKeys.parse(Files.readString(dir().resolve("previous.pem")), "previous");
        audit().clear();
    }

    @AfterEach
    void resetClock() {
        application().testClock().reset();
    }

    private TestAuthServiceApplication application() {
        return (TestAuthServiceApplication) app().getApplication();
    }

    private RecordingAuditLog audit() {
        return application().audit();
    }

    // --- helpers ----------------------------------------------------------------------------------

    /** A user with the password {@link #PASSWORD}; returns the id. */
    private long createUser(String username, String... roles) {
        final StringBuilder rolesJson = new StringBuilder("[");
        for (int i = 0; i < roles.length; i++) {
            rolesJson.append(i == 0 ? "" : ",").append('"').append(roles[i]).append('"');
        }
        rolesJson.append(']');
        final AdminClient.Answer answer = admin.run("create-user", Map.of("format", "json"),
                io.authservice.testing.TestApps.ADMIN_TOKEN, "{\"username\":\"" + username + "\",\"email\":\"" + username
                        + "@example.com\",\"first_name\":\"F\",\"last_name\":\"L\",\"roles\":" + rolesJson
                        + ",\"password\":\"" + PASSWORD + "\"}");
        assertThat(answer.status()).as(answer.body()).isEqualTo(200);
        return answer.json().get("user").get("id").asLong();
    }

    private static String unique(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    private Http.Answer signIn(String username) {
        return http.post("/api/v1/token/", "{\"username\":\"" + username + "\",\"password\":\"" + PASSWORD + "\"}");
    }

    private JsonNode tokens(String username) {
        final Http.Answer answer = signIn(username);
        assertThat(answer.status()).as(answer.body()).isEqualTo(200);
        return answer.json();
    }

    /** Claims as the service issues them for user 1 ({@code alice}) now on the service's clock, changed by {@code change}. */
    private JWTClaimsSet claims(UnaryOperator<JWTClaimsSet.Builder> change) {
        final Instant now = application().testClock().instant();
        return change.apply(new JWTClaimsSet.Builder()
                .issuer("auth-service").audience("auth-service").subject("1")
                .issueTime(Date.from(now)).notBeforeTime(Date.from(now))
                .expirationTime(Date.from(now.plusSeconds(300))).jwtID(UUID.randomUUID().toString())
                .claim("username", "alice").claim("email", "alice@example.com").claim("roles", List.of())).build();
    }

    private static String sign(ECKey key, String kid, JWTClaimsSet claims) {
        try {
            final SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.ES256).type(new JOSEObjectType("at+jwt"))
                    .keyID(kid).build(), claims);
            jwt.sign(new ECDSASigner(key));
            return jwt.serialize();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private Http.Answer whoamiWithBearer(String token) {
        return http.get("/api/v1/whoami/", "Authorization", "Bearer " + token);
    }

    private Http.Answer whoamiWithCookie(String token) {
        return http.get("/api/v1/whoami/", "Cookie", "access_token=" + token);
    }

    // --- sign-in and whoami -----------------------------------------------------------------------

    @Test
    void signInAnswersBothTokensAndSetsHttpOnlySameSiteCookies() {
        final String name = unique("alice");
        final long id = createUser(name, "agent");
        audit().clear();

        final Http.Answer answer = signIn(name);
        assertThat(answer.status()).isEqualTo(200);
        assertThat(answer.header("Cache-Control")).isEqualTo("no-store");
        final JsonNode body = answer.json();
        assertThat(body.fieldNames()).toIterable().containsExactly("access", "refresh");
        final List<String> cookies = answer.cookies();
        assertThat(cookies).anySatisfy(c -> assertThat(c).startsWith("access_token=" + body.get("access").asText())
                .contains("HttpOnly").contains("SameSite=Lax").contains("Secure").contains("Path=/").contains("Max-Age=300"));
        assertThat(cookies).anySatisfy(c -> assertThat(c).startsWith("refresh_token=" + body.get("refresh").asText())
                .contains("HttpOnly").contains("SameSite=Lax").contains("Path=/api/v1/token").contains("Max-Age=86400"));

        final Http.Answer whoami = whoamiWithBearer(body.get("access").asText());
        assertThat(whoami.status()).isEqualTo(200);
        assertThat(whoami.json().get("type").asText()).isEqualTo("user");
        assertThat(whoami.json().get("id").asLong()).isEqualTo(id);
        assertThat(whoami.json().get("username").asText()).isEqualTo(name);
        assertThat(whoami.json().get("roles")).extracting(JsonNode::asText).containsExactly("agent");

        final List<AuditEvent> logins = audit().matching(e -> e.type().equals(AuditEventTypes.LOGIN_SUCCEEDED));
        assertThat(logins).hasSize(1);
        assertThat(logins.get(0).userId()).isEqualTo(id);
        assertThat(logins.get(0).clientAddress()).isEqualTo("127.0.0.1");
        assertThat(audit().events()).allSatisfy(e -> assertThat(e.toString())
                .doesNotContain(body.get("access").asText()).doesNotContain(body.get("refresh").asText())
                .doesNotContain(PASSWORD));
    }

    @Test
    void signInByEmailWorksAndAccessTokensCarryTheDocumentedClaims() throws Exception {
        final String name = unique("emil");
        final long id = createUser(name, "security");
        final Http.Answer answer = http.post("/api/v1/token/",
                "{\"email\":\"" + name.toUpperCase() + "@EXAMPLE.COM\",\"password\":\"" + PASSWORD + "\"}");
        assertThat(answer.status()).as(answer.body()).isEqualTo(200);
        final SignedJWT jwt = SignedJWT.parse(answer.json().get("access").asText());
        assertThat(jwt.getHeader().getAlgorithm()).isEqualTo(JWSAlgorithm.ES256);
        assertThat(jwt.getHeader().getType().getType()).isEqualTo("at+jwt");
        assertThat(jwt.getHeader().getKeyID()).isEqualTo(current.getKeyID());
        final JWTClaimsSet claims = jwt.getJWTClaimsSet();
        assertThat(claims.getSubject()).isEqualTo(Long.toString(id));
        assertThat(claims.getStringClaim("username")).isEqualTo(name);
        assertThat(claims.getStringClaim("email")).isEqualTo(name + "@example.com");
        assertThat(claims.getStringListClaim("roles")).containsExactly("security");
        assertThat(claims.getJWTID()).isNotBlank();
        assertThat(claims.getIssuer()).isEqualTo("auth-service");
        assertThat(claims.getAudience()).containsExactly("auth-service");
        assertThat(Duration.between(claims.getIssueTime().toInstant(), claims.getExpirationTime().toInstant()))
                .isEqualTo(Duration.ofMinutes(5));
    }

    // --- the bad-token table ----------------------------------------------------------------------

    @Test
    void everyBadTokenGetsTheSame401ByHeaderAndByCookieAndTheAuditTrailGetsTheReason() throws Exception {
        final String name = unique("table");
        createUser(name);
        final String refresh = tokens(name).get("refresh").asText();
        final String valid = sign(current, current.getKeyID(), claims(b -> b));
        final ECKey stranger = JwtKeys.generate(new SecureRandom());
        final Instant now = application().testClock().instant();

        final String hs256 = hs256WithThePublicKey();
        final String none = new PlainJWT(claims(b -> b)).serialize();

        final Map<String, String[]> cases = new LinkedHashMap<>(); // name -> {token, reason}
        cases.put("expired", new String[]{sign(current, current.getKeyID(), claims(b -> b
                .issueTime(Date.from(now.minusSeconds(1200))).notBeforeTime(Date.from(now.minusSeconds(1200)))
                .expirationTime(Date.from(now.minusSeconds(600))))), AuditReasons.EXPIRED});
        cases.put("not yet valid", new String[]{sign(current, current.getKeyID(), claims(b -> b
                .notBeforeTime(Date.from(now.plusSeconds(600))))), AuditReasons.NOT_YET_VALID});
        cases.put("bad signature", new String[]{sign(stranger, current.getKeyID(), claims(b -> b)), AuditReasons.BAD_SIGNATURE});
        cases.put("alg none", new String[]{none, AuditReasons.DISALLOWED_ALGORITHM});
        cases.put("HS256 with the public key", new String[]{hs256, AuditReasons.DISALLOWED_ALGORITHM});
        cases.put("wrong iss", new String[]{sign(current, current.getKeyID(), claims(b -> b.issuer("evil"))), AuditReasons.WRONG_ISSUER});
        cases.put("wrong aud", new String[]{sign(current, current.getKeyID(), claims(b -> b.audience("tts"))), AuditReasons.WRONG_AUDIENCE});
        cases.put("unknown kid", new String[]{sign(stranger, stranger.getKeyID(), claims(b -> b)), AuditReasons.UNKNOWN_KID});
        cases.put("refresh as access", new String[]{refresh, AuditReasons.WRONG_TOKEN_TYPE});
        cases.put("truncated", new String[]{valid.substring(0, valid.length() * 6 / 10), AuditReasons.MALFORMED});
        cases.put("garbage", new String[]{"not.a.jwt", AuditReasons.MALFORMED});
        cases.put("7 KB", new String[]{"a".repeat(7 * 1024), AuditReasons.MALFORMED});
        // the valid token itself passes, so each case above fails for its own reason only
        assertThat(whoamiWithBearer(valid).status()).isEqualTo(200);
        audit().clear();

        for (Map.Entry<String, String[]> c : cases.entrySet()) {
            for (Http.Answer answer : List.of(whoamiWithBearer(c.getValue()[0]), whoamiWithCookie(c.getValue()[0]))) {
                assertThat(answer.status()).as(c.getKey()).isEqualTo(401);
                assertThat(answer.body()).as(c.getKey()).isEqualTo(BODY_401);
                assertThat(answer.header("Content-Type")).as(c.getKey()).startsWith("application/json");
                assertThat(answer.header("WWW-Authenticate")).as(c.getKey()).isEqualTo("Bearer realm=\"auth-service\"");
            }
        }

        await().atMost(Duration.ofSeconds(5)).until(() -> audit().events().size() == cases.size() * 2);
        final List<String> expected = cases.values().stream().flatMap(v -> List.of(v[1], v[1]).stream()).toList();
        assertThat(audit().events()).extracting(AuditEvent::reason).containsExactlyElementsOf(expected);
        assertThat(audit().events()).allSatisfy(e -> {
            assertThat(e.type()).isEqualTo(AuditEventTypes.TOKEN_REJECTED);
            assertThat(e.status()).isEqualTo(401);
            assertThat(e.clientAddress()).isEqualTo("127.0.0.1");
            assertThat(e.path()).isEqualTo("/api/v1/whoami/");
            cases.values().forEach(v -> assertThat(e.toString()).doesNotContain(v[0]));
        });
        // an expired token's signature verified, so the trail names its user
        assertThat(audit().events().get(0).userId()).isEqualTo(1L);
    }

    private String hs256WithThePublicKey() throws Exception {
        final SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.HS256).type(new JOSEObjectType("at+jwt"))
                .keyID(current.getKeyID()).build(), claims(b -> b));
        jwt.sign(new MACSigner(JwtKeys.toPublicPem(current).getBytes(StandardCharsets.US_ASCII)));
        return jwt.serialize();
    }

    @Test
    void aHundredKilobyteHeaderIsAnsweredByJettyWith431InTheSameJsonShape() {
        final String huge = "a".repeat(100 * 1024);
        for (Http.Answer answer : List.of(whoamiWithBearer(huge), whoamiWithCookie(huge))) {
            assertThat(answer.status()).isEqualTo(431);
            assertThat(answer.header("Content-Type")).startsWith("application/json");
            assertThat(answer.json().get("code").asInt()).isEqualTo(431);
            assertThat(answer.json().get("message").asText()).isEqualTo("Request Header Fields Too Large");
            assertThat(answer.body()).doesNotContain("aaaa");
        }
    }

    // --- the seed's forwarding example and the user endpoints -------------------------------------

    @Test
    void aDownstreamServiceForwardsThePersonsCookieAndGetsTheUser() {
        final String name = unique("fwd");
        final long id = createUser(name, "agent");
        // the person signs in with their browser; the browser keeps the access_token cookie
        final String accessCookie = signIn(name).cookies().stream().filter(c -> c.startsWith("access_token="))
                .findFirst().orElseThrow().split(";", 2)[0];
        // the downstream service copies that cookie, and only it, onto its own call (the seed's requests.get(..., cookies=...))
        final Http.Answer forwarded = http.get("/api/v1/users/" + id + "/", "Cookie", accessCookie);
        assertThat(forwarded.status()).as(forwarded.body()).isEqualTo(200);

        final String key = admin.json("create-api-key", Map.of("name", unique("tts"))).get("key").asText();
        final Http.Answer internal = http.get("/api/v1/users/internal/" + id + "/", "X-API-Key", key);
        assertThat(forwarded.json()).isEqualTo(internal.json());
        assertThat(forwarded.json().get("username").asText()).isEqualTo(name);
        assertThat(forwarded.json().has("password_hash")).isFalse();
    }

    @Test
    void whoMayReadWhichUser() {
        final String alice = unique("alice");
        final long aliceId = createUser(alice);
        final long bobId = createUser(unique("bob"));
        final String root = unique("root");
        createUser(root, "admin");
        final String aliceToken = tokens(alice).get("access").asText();
        final String adminToken = tokens(root).get("access").asText();
        final String readerKey = admin.json("create-api-key", Map.of("name", unique("reader"), "scopes", "users:read"))
                .get("key").asText();
        final String otherKey = admin.json("create-api-key", Map.of("name", unique("other"), "scopes", "employees:read"))
                .get("key").asText();

        assertThat(http.get("/api/v1/users/me/", "Authorization", "Bearer " + aliceToken).json().get("id").asLong())
                .isEqualTo(aliceId);
        assertThat(http.get("/api/v1/users/" + aliceId + "/", "Authorization", "Bearer " + aliceToken).status()).isEqualTo(200);
        assertThat(http.get("/api/v1/users/" + bobId + "/", "Authorization", "Bearer " + aliceToken).status()).isEqualTo(403);
        assertThat(http.get("/api/v1/users/" + bobId + "/", "Authorization", "Bearer " + adminToken).status()).isEqualTo(200);
        assertThat(http.get("/api/v1/users/" + bobId + "/", "X-API-Key", readerKey).status()).isEqualTo(200);
        assertThat(http.get("/api/v1/users/" + bobId + "/", "X-API-Key", otherKey).status()).isEqualTo(403);
        assertThat(http.get("/api/v1/users/me/", "X-API-Key", readerKey).status()).isEqualTo(403);
        assertThat(http.get("/api/v1/users/999999/", "Authorization", "Bearer " + adminToken).status()).isEqualTo(404);
        assertThat(http.get("/api/v1/users/abc/", "Authorization", "Bearer " + adminToken).status()).isEqualTo(400);
        assertThat(http.get("/api/v1/users/me/").status()).isEqualTo(401);

        // the internal endpoints stay service-key only, even for an admin (and a role named like a scope)
        final String sneaky = unique("sneaky");
        createUser(sneaky, "admin", "users:read", "users-info:read", "employees:read");
        final String sneakyToken = tokens(sneaky).get("access").asText();
        for (String path : List.of("/api/v1/users/internal/" + aliceId + "/", "/api/v1/tts/users-info/?ids=1",
                "/api/v1/hdts/employees/internal/1/")) {
            final Http.Answer answer = http.get(path, "Authorization", "Bearer " + sneakyToken);
            assertThat(answer.status()).as(path).isEqualTo(403);
            assertThat(answer.json().get("code").asInt()).as(path).isEqualTo(403);
        }
    }

    // --- the chain --------------------------------------------------------------------------------

    @Test
    void theChainOrderKeyFirstAndAPresentedBadCredentialNeverFallsThrough() {
        final String name = unique("chain");
        createUser(name);
        final String token = tokens(name).get("access").asText();
        final String key = admin.json("create-api-key", Map.of("name", unique("svc"))).get("key").asText();
        final String badKey = "0123456789abcdef0123456789abcdef01234567";

        // valid key + valid token: the service
        final Http.Answer both = http.get("/api/v1/whoami/", "X-API-Key", key, "Authorization", "Bearer " + token);
        assertThat(both.status()).isEqualTo(200);
        assertThat(both.json().get("type").asText()).isEqualTo("service");
        // bad key + good token (header or cookie): 401, the token is not tried
        for (String[] tokenHeader : List.of(new String[]{"Authorization", "Bearer " + token},
                new String[]{"Cookie", "access_token=" + token})) {
            final Http.Answer answer = http.get("/api/v1/whoami/", "X-API-Key", badKey, tokenHeader[0], tokenHeader[1]);
            assertThat(answer.status()).isEqualTo(401);
            assertThat(answer.body()).isEqualTo(BODY_401);
            assertThat(answer.header("WWW-Authenticate")).isEqualTo("ApiKey realm=\"auth-service\"");
        }
        // good key + bad token: the key decides alone (the token beside it is not examined)
        final Http.Answer keyDecides = http.get("/api/v1/whoami/", "X-API-Key", key, "Authorization", "Bearer garbage");
        assertThat(keyDecides.status()).isEqualTo(200);
        assertThat(keyDecides.json().get("type").asText()).isEqualTo("service");
        // a bad bearer header is not rescued by a good cookie
        assertThat(http.get("/api/v1/whoami/", "Authorization", "Bearer garbage", "Cookie", "access_token=" + token)
                .status()).isEqualTo(401);
        // nothing presented: the key filter's 401, as before tokens existed
        final Http.Answer nothing = http.get("/api/v1/whoami/");
        assertThat(nothing.status()).isEqualTo(401);
        assertThat(nothing.header("WWW-Authenticate")).isEqualTo("ApiKey realm=\"auth-service\"");
    }

    // --- refresh, reuse, sign-out -----------------------------------------------------------------

    @Test
    void refreshRotatesAndAReusedRefreshTokenRevokesTheWholeFamily() {
        final String name = unique("rot");
        final long id = createUser(name);
        final String first = tokens(name).get("refresh").asText();

        // by cookie
        final Http.Answer rotated = http.post("/api/v1/token/refresh/", "", "Cookie", "refresh_token=" + first);
        assertThat(rotated.status()).as(rotated.body()).isEqualTo(200);
        final String second = rotated.json().get("refresh").asText();
        assertThat(second).isNotEqualTo(first);
        assertThat(whoamiWithBearer(rotated.json().get("access").asText()).status()).isEqualTo(200);
        // by body
        final Http.Answer again = http.post("/api/v1/token/refresh/", "{\"refresh\":\"" + second + "\"}");
        assertThat(again.status()).isEqualTo(200);
        final String third = again.json().get("refresh").asText();
        audit().clear();

        // someone replays the first token: refused, and the family (with the live third token) is revoked
        final Http.Answer replay = http.post("/api/v1/token/refresh/", "{\"refresh\":\"" + first + "\"}");
        assertThat(replay.status()).isEqualTo(401);
        assertThat(replay.json().get("code").asInt()).isEqualTo(401);
        assertThat(http.post("/api/v1/token/refresh/", "{\"refresh\":\"" + third + "\"}").status()).isEqualTo(401);

        final List<AuditEvent> reused = audit().matching(e -> e.type().equals(AuditEventTypes.TOKEN_REFRESH_REUSED));
        assertThat(reused).hasSize(1);
        assertThat(reused.get(0).userId()).isEqualTo(id);
        assertThat(audit().matching(e -> AuditReasons.REVOKED.equals(e.reason()))).hasSize(1);

        // a new sign-in starts a new family
        assertThat(http.post("/api/v1/token/refresh/", "{\"refresh\":\"" + tokens(name).get("refresh").asText() + "\"}")
                .status()).isEqualTo(200);
    }

    @Test
    void aRefreshTokenExpiresWithItsLifetime() {
        final String name = unique("exp");
        createUser(name);
        final String refresh = tokens(name).get("refresh").asText();
        application().testClock().advance(Duration.ofDays(1).plusMinutes(1));
        assertThat(http.post("/api/v1/token/refresh/", "{\"refresh\":\"" + refresh + "\"}").status()).isEqualTo(401);
        assertThat(audit().matching(e -> AuditReasons.EXPIRED.equals(e.reason()))).hasSize(1);
    }

    @Test
    void signOutRevokesTheFamilyAndClearsBothCookies() {
        final String name = unique("out");
        createUser(name);
        final String refresh = tokens(name).get("refresh").asText();

        final Http.Answer out = http.post("/api/v1/token/logout/", "", "Cookie", "refresh_token=" + refresh);
        assertThat(out.status()).isEqualTo(204);
        assertThat(out.cookies()).anySatisfy(c -> assertThat(c).startsWith("access_token=;").contains("Max-Age=0"));
        assertThat(out.cookies()).anySatisfy(c -> assertThat(c).startsWith("refresh_token=;").contains("Max-Age=0")
                .contains("Path=/api/v1/token"));
        assertThat(http.post("/api/v1/token/refresh/", "{\"refresh\":\"" + refresh + "\"}").status()).isEqualTo(401);
        // signing out again, or without a token, still clears the cookies
        assertThat(http.post("/api/v1/token/logout/", null).status()).isEqualTo(204);
    }

    @Test
    void verifySaysWhetherAnAccessTokenIsValid() {
        final String name = unique("ver");
        final long id = createUser(name);
        final JsonNode pair = tokens(name);
        final Http.Answer ok = http.post("/api/v1/token/verify/", "{\"token\":\"" + pair.get("access").asText() + "\"}");
        assertThat(ok.status()).isEqualTo(200);
        assertThat(ok.json().get("valid").asBoolean()).isTrue();
        assertThat(ok.json().get("user_id").asLong()).isEqualTo(id);
        final Http.Answer refresh = http.post("/api/v1/token/verify/", "{\"token\":\"" + pair.get("refresh").asText() + "\"}");
        assertThat(refresh.status()).isEqualTo(401);
        assertThat(http.post("/api/v1/token/verify/", "{\"token\":\"x\"}").status()).isEqualTo(401);
    }

    // --- JWKS and key rotation --------------------------------------------------------------------

    @Test
    void anIndependentVerifierChecksAnIssuedTokenWithTheJwksDocumentAlone() throws Exception {
        final String name = unique("jwks");
        createUser(name);
        final String access = tokens(name).get("access").asText();

        final Http.Answer document = http.get("/.well-known/jwks.json");
        assertThat(document.status()).isEqualTo(200);
        assertThat(document.body()).doesNotContain("\"d\"");
        final JWKSet jwks = JWKSet.parse(document.body());
        assertThat(jwks.getKeys()).extracting(k -> k.getKeyID())
                .containsExactlyInAnyOrder(current.getKeyID(), previous.getKeyID());
        assertThat(jwks.getKeys()).allSatisfy(k -> assertThat(k.isPrivate()).isFalse());

        final DefaultJWTProcessor<SecurityContext> verifier = new DefaultJWTProcessor<>();
        verifier.setJWSTypeVerifier(new com.nimbusds.jose.proc.DefaultJOSEObjectTypeVerifier<>(new JOSEObjectType("at+jwt")));
        verifier.setJWSKeySelector(new JWSVerificationKeySelector<>(JWSAlgorithm.ES256, new ImmutableJWKSet<>(jwks)));
        final JWTClaimsSet claims = verifier.process(access, null);
        assertThat(claims.getStringClaim("username")).isEqualTo(name);
    }

    @Test
    void aTokenSignedByThePreviousKeyStillVerifiesAfterRotation() {
        final String name = unique("old");
        final long id = createUser(name);
        final String byPrevious = sign(previous, previous.getKeyID(), claims(b -> b.subject(Long.toString(id))
                .claim("username", name)));
        final Http.Answer answer = whoamiWithBearer(byPrevious);
        assertThat(answer.status()).isEqualTo(200);
        assertThat(answer.json().get("id").asLong()).isEqualTo(id);
        // new tokens are signed by the current key only
        assertThat(tokens(name).get("access").asText()).satisfies(t -> assertThat(
                JwtAuthenticationContract.kidOf(t)).isEqualTo(current.getKeyID()));
    }

    private static String kidOf(String token) {
        try {
            return SignedJWT.parse(token).getHeader().getKeyID();
        } catch (java.text.ParseException e) {
            throw new IllegalStateException(e);
        }
    }

    // --- refusals at sign-in ----------------------------------------------------------------------

    @Test
    void inactiveAndPasswordlessUsersCannotSignInAndGetTheSameAnswer() {
        final String nopass = unique("nopass");
        final AdminClient.Answer created = admin.run("create-user", Map.of("format", "json"),
                io.authservice.testing.TestApps.ADMIN_TOKEN, "{\"username\":\"" + nopass + "\"}");
        assertThat(created.status()).isEqualTo(200);
        final String wrong = unique("wrong");
        createUser(wrong);
        final Http.Answer noPassword = signIn(nopass);
        final Http.Answer unknown = signIn(unique("ghost"));
        final Http.Answer badPassword = http.post("/api/v1/token/",
                "{\"username\":\"" + wrong + "\",\"password\":\"not the password\"}");
        for (Http.Answer answer : List.of(noPassword, unknown, badPassword)) {
            assertThat(answer.status()).isEqualTo(401);
            assertThat(answer.body()).isEqualTo(unknown.body());
            assertThat(answer.cookies()).isEmpty();
        }
        assertThat(audit().matching(e -> e.type().equals(AuditEventTypes.LOGIN_FAILED)))
                .extracting(AuditEvent::reason)
                .containsExactly(AuditReasons.NO_PASSWORD, AuditReasons.UNKNOWN_USER, AuditReasons.BAD_PASSWORD);
    }

    @Test
    void badInputIsA4xxJsonAnswerNeverA500() {
        final List<String> bodies = List.of("", "[]", "\"x\"", "{", "{\"username\":1,\"password\":\"x\"}",
                "{\"username\":\"a\",\"password\":true}", "{\"username\":\"a\"}", "{\"password\":\"x\"}",
                "{\"username\":\"a\",\"email\":\"a@b\",\"password\":\"x\"}", "{\"username\":\"a\",\"password\":\"x\",\"extra\":1}",
                "{\"username\":\"a\",\"password\":\"x\"} trailing", "{\"username\":{\"$ne\":1},\"password\":\"x\"}",
                "{\"username\":\"\\u0000\\ud800<script>\",\"password\":\"x\"}");
        for (String body : bodies) {
            final Http.Answer answer = http.post("/api/v1/token/", body);
            assertThat(answer.status()).as(body).isBetween(400, 499);
            assertThat(answer.json().get("code").asInt()).as(body).isEqualTo(answer.status());
            assertThat(answer.json().get("message").asText()).as(body).isNotBlank();
        }
        final Http.Answer huge = http.post("/api/v1/token/", "{\"username\":\"a\",\"password\":\"" + "p".repeat(40_000) + "\"}");
        assertThat(huge.status()).isEqualTo(413);
        assertThat(huge.json().get("code").asInt()).isEqualTo(413);
        final Http.Answer wrongType = http.post("/api/v1/token/refresh/", "{\"refresh\":42}");
        assertThat(wrongType.status()).isEqualTo(400);
        assertThat(wrongType.json().get("message").asText()).isEqualTo("'refresh' must be a string");
        assertThat(http.post("/api/v1/token/refresh/", null).status()).isEqualTo(400);
        assertThat(http.post("/api/v1/token/verify/", "{}").status()).isEqualTo(400);
    }
}
