package io.authservice.auth;

import io.authservice.audit.AuditReasons;
import io.authservice.config.JwtConfig;
import io.authservice.core.User;
import io.authservice.testing.TestClock;
import io.dropwizard.configuration.YamlConfigurationFactory;
import io.dropwizard.jackson.Jackson;
import io.dropwizard.jersey.validation.Validators;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Signing, checking, key rotation and key files, without the service around them. */
class JwtTokensTest {
    private static final SecureRandom RANDOM = new SecureRandom();
    private final TestClock clock = new TestClock();
    private final User alice = new User(7, "alice", "alice@example.com", "Alice", "A", null, List.of("admin"), true,
            Instant.EPOCH, Instant.EPOCH);

    private JwtTokens tokens(JwtKeys keys) {
        return new JwtTokens(keys, "auth-service", "auth-service", Duration.ofMinutes(5), Duration.ofDays(1),
                Duration.ofSeconds(30), clock);
    }

    @Test
    void aTokenSignedByTheOldKeyStillVerifiesAfterANewSigningKeyIsAdded() {
        final var old = JwtKeys.generate(RANDOM);
        final String token = tokens(new JwtKeys(old, List.of())).access(alice).token();

        final var rotated = new JwtKeys(JwtKeys.generate(RANDOM), List.of(old));
        final JwtTokens.Check check = tokens(rotated).check(token, JwtTokens.Kind.ACCESS);
        assertThat(check).isInstanceOf(JwtTokens.Valid.class);
        assertThat(JwtTokens.caller((JwtTokens.Valid) check).roles()).containsExactly("admin");
        // once the old key is dropped, its tokens name an unknown kid
        final var dropped = new JwtKeys(rotated.signing(), List.of());
        assertThat(tokens(dropped).check(token, JwtTokens.Kind.ACCESS))
                .isEqualTo(new JwtTokens.Rejected(AuditReasons.UNKNOWN_KID, null));
    }

    @Test
    void expiryFollowsTheInjectedClockWithTheConfiguredSkew() {
        final JwtTokens tokens = tokens(new JwtKeys(JwtKeys.generate(RANDOM), List.of()));
        final String token = tokens.access(alice).token();
        clock.advance(Duration.ofMinutes(5).plusSeconds(20));
        assertThat(tokens.check(token, JwtTokens.Kind.ACCESS)).isInstanceOf(JwtTokens.Valid.class);
        clock.advance(Duration.ofSeconds(20));
        assertThat(tokens.check(token, JwtTokens.Kind.ACCESS)).isEqualTo(new JwtTokens.Rejected(AuditReasons.EXPIRED, 7L));
    }

    @Test
    void aRememberedTokenIsStillRefusedOnceItExpires() {
        final JwtTokens tokens = tokens(new JwtKeys(JwtKeys.generate(RANDOM), List.of()));
        final String token = tokens.access(alice).token();
        assertThat(tokens.check(token, JwtTokens.Kind.ACCESS)).isInstanceOf(JwtTokens.Valid.class);
        assertThat(tokens.check(token, JwtTokens.Kind.ACCESS)).isInstanceOf(JwtTokens.Valid.class);
        clock.advance(Duration.ofMinutes(6));
        assertThat(tokens.check(token, JwtTokens.Kind.ACCESS)).isEqualTo(new JwtTokens.Rejected(AuditReasons.EXPIRED, 7L));
        // a token that differs in one character is not the remembered one
        clock.reset();
        final String other = tokens.access(alice).token();
        final String tampered = other.substring(0, other.length() - 2) + (other.endsWith("AA") ? "BB" : "AA");
        assertThat(tokens.check(other, JwtTokens.Kind.ACCESS)).isInstanceOf(JwtTokens.Valid.class);
        assertThat(tokens.check(tampered, JwtTokens.Kind.ACCESS)).isInstanceOf(JwtTokens.Rejected.class);
    }

    @Test
    void accessAndRefreshTokensAreNeverTakenForEachOther() {
        final JwtTokens tokens = tokens(new JwtKeys(JwtKeys.generate(RANDOM), List.of()));
        assertThat(tokens.check(tokens.refresh(7, "fam").token(), JwtTokens.Kind.ACCESS))
                .isEqualTo(new JwtTokens.Rejected(AuditReasons.WRONG_TOKEN_TYPE, null));
        assertThat(tokens.check(tokens.access(alice).token(), JwtTokens.Kind.REFRESH))
                .isEqualTo(new JwtTokens.Rejected(AuditReasons.WRONG_TOKEN_TYPE, null));
    }

    @Test
    void theEmbeddedDefaultGeneratesAnOwnerOnlyKeyFileOnceAndReusesIt(@TempDir Path dir) throws Exception {
        final Path file = dir.resolve("data").resolve("jwt-signing-key.pem");
        final JwtConfig config = config("signingKey: {file: \"" + file + "\"}");

        final JwtKeys first = JwtKeys.load(config, RANDOM);
        assertThat(Files.getPosixFilePermissions(file)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
        assertThat(Files.readString(file)).startsWith("-----BEGIN PRIVATE KEY-----");
        final JwtKeys second = JwtKeys.load(config, RANDOM);
        assertThat(second.signing().getKeyID()).isEqualTo(first.signing().getKeyID());
        assertThat(second.signing().toECPrivateKey().getEncoded()).isEqualTo(first.signing().toECPrivateKey().getEncoded());
    }

    @Test
    void keysComeFromPemTextAndPreviousKeysMayBePublicOnly(@TempDir Path dir) throws Exception {
        final var current = JwtKeys.generate(RANDOM);
        final var old = JwtKeys.generate(RANDOM);
        Files.writeString(dir.resolve("old.pub"), JwtKeys.toPublicPem(old));
        final JwtConfig config = config("signingKey: {pem: \"" + JwtKeys.toPem(current).replace("\n", "\\n") + "\"}",
                "previousKeys: [{file: \"" + dir.resolve("old.pub") + "\"}]");

        final JwtKeys keys = JwtKeys.load(config, RANDOM);
        assertThat(keys.signing().getKeyID()).isEqualTo(current.getKeyID());
        assertThat(keys.verification().getKeys()).extracting(k -> k.getKeyID())
                .containsExactly(current.getKeyID(), old.getKeyID());
        @SuppressWarnings("unchecked")
        final List<java.util.Map<String, Object>> published = (List<java.util.Map<String, Object>>) keys.publicJwks().get("keys");
        assertThat(published).hasSize(2).allSatisfy(key -> assertThat(key).doesNotContainKey("d").containsKey("kid"));
    }

    @Test
    void aKeyIsReadFromPemWhoseLineBreaksWereFoldedIntoSpaces() throws Exception {
        final com.nimbusds.jose.jwk.ECKey key = JwtKeys.generate(new java.security.SecureRandom());
        assertThat(JwtKeys.parse(JwtKeys.toPem(key).replace('\n', ' '), "x").computeThumbprint())
                .isEqualTo(key.computeThumbprint());
        assertThat(JwtKeys.parse(JwtKeys.toPublicPem(key), "x").isPrivate()).isFalse();
        assertThat(JwtKeys.toPem(key)).startsWith("-----BEGIN PRIVATE KEY-----\n").endsWith("-----END PRIVATE KEY-----\n");
    }

    @Test
    void aBadPemNamesWhereItCameFromNeverItsContent() {
        assertThatThrownBy(() -> JwtKeys.parse("-----BEGIN PRIVATE KEY-----\nc2VjcmV0\n-----END PRIVATE KEY-----", "AUTH_JWT_SIGNING_KEY"))
                .hasMessageContaining("AUTH_JWT_SIGNING_KEY").hasMessageNotContaining("c2VjcmV0");
        assertThatThrownBy(() -> JwtKeys.parse("-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----", "x"))
                .hasMessageContaining("not supported");
    }

    @Test
    void configDefaultsAreTheDocumentedOnes() throws Exception {
        final JwtConfig config = new JwtConfig();
        assertThat(config.getAccessTokenLifetime().toJavaDuration()).isEqualTo(Duration.ofMinutes(5));
        assertThat(config.getRefreshTokenLifetime().toJavaDuration()).isEqualTo(Duration.ofDays(1));
        assertThat(config.getClockSkew().toJavaDuration()).isEqualTo(Duration.ofSeconds(30));
        assertThat(config.getCookies().isSecure()).isTrue();
        assertThat(config.getCookies().getAccessName()).isEqualTo("access_token");
        assertThat(config.getCookies().getRefreshName()).isEqualTo("refresh_token");
        assertThat(config.getSigningKey().getFile()).isEqualTo(Path.of("data", "jwt-signing-key.pem"));
        assertThat(config.getCookies().getAllowedOrigins()).isEmpty();
        assertThat(config.getLoginThrottle().getMaxFailuresPerAccountAndAddress()).isEqualTo(5);
        assertThat(config.getLoginThrottle().getMaxFailuresPerAccount()).isEqualTo(100);
        assertThat(config.getLoginThrottle().getMaxFailuresPerAddress()).isEqualTo(20);
        assertThat(config.getLoginThrottle().getWindow().toJavaDuration()).isEqualTo(Duration.ofMinutes(5));
        assertThat(config.getPasswordHashing().getMaxConcurrent())
                .isEqualTo(Math.max(2, Runtime.getRuntime().availableProcessors()));
        assertThat(config.getPasswordHashing().getMaxWait().toJavaDuration()).isEqualTo(Duration.ofSeconds(1));
    }

    private static JwtConfig config(String... yaml) throws Exception {
        final Path file = Files.createTempFile("jwt", ".yml");
        Files.writeString(file, String.join("\n", yaml) + "\n");
        return new YamlConfigurationFactory<>(JwtConfig.class, Validators.newValidator(), Jackson.newObjectMapper(), "dw-jwt-test")
                .build(file.toFile());
    }
}
