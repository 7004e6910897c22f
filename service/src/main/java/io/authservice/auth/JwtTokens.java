package io.authservice.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.jwk.source.ImmutableJWKSet;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.proc.BadJWSException;
import com.nimbusds.jose.proc.DefaultJOSEObjectTypeVerifier;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWT;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.JWTParser;
import com.nimbusds.jwt.SignedJWT;
import com.nimbusds.jwt.proc.BadJWTException;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import com.nimbusds.jwt.proc.ExpiredJWTException;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import io.authservice.audit.AuditReasons;
import io.authservice.core.ApiKeySecrets;
import io.authservice.core.User;
import io.authservice.core.UserCaller;

import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/**
 * Signs and checks the service's JWTs with nimbus-jose-jwt, following RFC 8725: only ES256 is
 * accepted (never {@code none} or HMAC), the key is chosen by {@code kid}, and {@code iss}, {@code aud},
 * {@code exp} and {@code nbf} (with a small clock skew) and the token type ({@code typ} header:
 * {@value #ACCESS_TYPE} or {@value #REFRESH_TYPE}) are checked, so a refresh token is never taken as
 * an access token. Time comes from the injected {@link Clock}.
 *
 * <p>An ECDSA verification costs about a millisecond of CPU, so access tokens that passed every
 * check are remembered (by their SHA-256, at most {@code verifiedCacheSize}) until they expire: a
 * token presented again is only checked against the clock. Refused tokens are never remembered.
 */
public final class JwtTokens {
    /** The {@code typ} of access tokens (RFC 9068). */
    public static final String ACCESS_TYPE = "at+jwt";
    /** The {@code typ} of refresh tokens. */
    public static final String REFRESH_TYPE = "rt+jwt";
    /** Longer than any token we issue; anything longer is refused before parsing. */
    public static final int MAX_TOKEN_CHARS = 4096;

    public static final String CLAIM_USERNAME = "username";
    public static final String CLAIM_EMAIL = "email";
    public static final String CLAIM_ROLES = "roles";
    /** The refresh token family: every token rotated from one sign-in shares it. */
    public static final String CLAIM_FAMILY = "fam";

    /** Which kind of token a check expects. */
    public enum Kind {
        ACCESS(ACCESS_TYPE), REFRESH(REFRESH_TYPE);

        private final JOSEObjectType type;

        Kind(String type) {
            this.type = new JOSEObjectType(type);
        }
    }

    /** What a check found. */
    public sealed interface Check {
    }

    /** A token that passed every check; its claims can be trusted. */
    public record Valid(JWTClaimsSet claims) implements Check {
        public long userId() {
            return Long.parseLong(claims.getSubject());
        }
    }

    /**
     * A refused token.
     *
     * @param reason one of {@link AuditReasons}
     * @param userId the token's subject where its signature verified (e.g. an expired token), else null
     */
    public record Rejected(String reason, Long userId) implements Check {
    }

    /** A freshly signed token and what it says. */
    public record Issued(String token, String jti, Instant issuedAt, Instant expiresAt) {
        @Override
        public String toString() {
            return "Issued[jti=" + jti + ", expiresAt=" + expiresAt + "]";
        }
    }

    private final JwtKeys keys;
    private final String issuer;
    private final String audience;
    private final Duration accessLifetime;
    private final Duration refreshLifetime;
    private final Clock clock;
    private final ECDSASigner signer;
    private final DefaultJWTProcessor<SecurityContext> accessProcessor;
    private final DefaultJWTProcessor<SecurityContext> refreshProcessor;
    private final Duration clockSkew;
    private final Cache<String, Valid> verified;

    public JwtTokens(JwtKeys keys, String issuer, String audience, Duration accessLifetime, Duration refreshLifetime,
                     Duration clockSkew, Clock clock) {
        this(keys, issuer, audience, accessLifetime, refreshLifetime, clockSkew, clock, 100_000);
    }

    public JwtTokens(JwtKeys keys, String issuer, String audience, Duration accessLifetime, Duration refreshLifetime,
                     Duration clockSkew, Clock clock, long verifiedCacheSize) {
        this.keys = keys;
        this.clockSkew = clockSkew;
        this.verified = Caffeine.newBuilder()
                .maximumSize(verifiedCacheSize)
                .expireAfter(Expiry.creating((String digest, Valid valid) -> {
                    final Duration left = Duration.between(clock.instant(),
                            valid.claims().getExpirationTime().toInstant().plus(clockSkew));
                    return left.isNegative() ? Duration.ZERO : left;
                }))
                .build();
        this.issuer = issuer;
        this.audience = audience;
        this.accessLifetime = accessLifetime;
        this.refreshLifetime = refreshLifetime;
        this.clock = clock;
        try {
            this.signer = new ECDSASigner(keys.signing());
        } catch (JOSEException e) {
            throw new IllegalStateException("the JWT signing key cannot sign", e);
        }
        this.accessProcessor = processor(Kind.ACCESS, Set.of(CLAIM_USERNAME, CLAIM_ROLES), clockSkew);
        this.refreshProcessor = processor(Kind.REFRESH, Set.of(CLAIM_FAMILY), clockSkew);
    }

    private DefaultJWTProcessor<SecurityContext> processor(Kind kind, Set<String> extraClaims, Duration clockSkew) {
        final DefaultJWTProcessor<SecurityContext> processor = new DefaultJWTProcessor<>();
        processor.setJWSTypeVerifier(new DefaultJOSEObjectTypeVerifier<>(kind.type));
        processor.setJWSKeySelector(new JWSVerificationKeySelector<>(JwtKeys.ALGORITHM,
                new ImmutableJWKSet<>(keys.verification())));
        final Set<String> required = new java.util.HashSet<>(Set.of("sub", "iat", "exp", "jti"));
        required.addAll(extraClaims);
        final DefaultJWTClaimsVerifier<SecurityContext> claims = new DefaultJWTClaimsVerifier<>(
                Set.of(audience), new JWTClaimsSet.Builder().issuer(issuer).build(), required, Set.of()) {
            @Override
            protected Date currentTime() {
                return Date.from(clock.instant());
            }
        };
        claims.setMaxClockSkew(Math.toIntExact(clockSkew.toSeconds()));
        processor.setJWTClaimsSetVerifier(claims);
        return processor;
    }

    /** A new access token for {@code user}. */
    public Issued access(User user) {
        return sign(Kind.ACCESS, accessLifetime, new JWTClaimsSet.Builder()
                .subject(Long.toString(user.id()))
                .claim(CLAIM_USERNAME, user.username())
                .claim(CLAIM_EMAIL, user.email())
                .claim(CLAIM_ROLES, user.roles()));
    }

    /** A new refresh token for {@code userId} in {@code family}. */
    public Issued refresh(long userId, String family) {
        return sign(Kind.REFRESH, refreshLifetime, new JWTClaimsSet.Builder()
                .subject(Long.toString(userId))
                .claim(CLAIM_FAMILY, family));
    }

    private Issued sign(Kind kind, Duration lifetime, JWTClaimsSet.Builder claims) {
        final Instant now = clock.instant();
        final Instant iat = Instant.ofEpochSecond(now.getEpochSecond());
        final Instant exp = iat.plus(lifetime);
        final String jti = UUID.randomUUID().toString();
        final SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JwtKeys.ALGORITHM)
                .type(kind.type)
                .keyID(keys.signing().getKeyID())
                .build(),
                claims.issuer(issuer).audience(audience).issueTime(Date.from(iat)).notBeforeTime(Date.from(iat))
                        .expirationTime(Date.from(exp)).jwtID(jti).build());
        try {
            jwt.sign(signer);
        } catch (JOSEException e) {
            throw new IllegalStateException("cannot sign a token", e);
        }
        return new Issued(jwt.serialize(), jti, iat, exp);
    }

    /** Checks a presented token of the expected kind. Never throws for a bad token. */
    public Check check(String token, Kind kind) {
        if (kind != Kind.ACCESS || token == null || token.isEmpty() || token.length() > MAX_TOKEN_CHARS) {
            return verify(token, kind);
        }
        final String digest = ApiKeySecrets.hash(token);
        final Valid known = verified.getIfPresent(digest);
        if (known != null && clock.instant().isBefore(known.claims().getExpirationTime().toInstant().plus(clockSkew))) {
            return known;
        }
        final Check check = verify(token, kind); // an expired one is refused here, with its reason
        if (check instanceof Valid valid) {
            verified.put(digest, valid);
        } else if (known != null) {
            verified.invalidate(digest);
        }
        return check;
    }

    /** The full check with nimbus: parse, algorithm, key, type, signature, claims. */
    private Check verify(String token, Kind kind) {
        if (token == null || token.isEmpty() || token.length() > MAX_TOKEN_CHARS) {
            return new Rejected(AuditReasons.MALFORMED, null);
        }
        final JWT jwt;
        try {
            jwt = JWTParser.parse(token);
        } catch (ParseException | RuntimeException e) {
            return new Rejected(AuditReasons.MALFORMED, null);
        }
        if (!(jwt instanceof SignedJWT signed)) {
            return new Rejected(AuditReasons.DISALLOWED_ALGORITHM, null); // alg "none", or encrypted
        }
        // the processor refuses both below too; checked first only to name the reason precisely
        if (!JwtKeys.ALGORITHM.equals(signed.getHeader().getAlgorithm())) {
            return new Rejected(AuditReasons.DISALLOWED_ALGORITHM, null);
        }
        final String kid = signed.getHeader().getKeyID();
        if (kid == null || keys.verification().getKeyByKeyId(kid) == null) {
            return new Rejected(AuditReasons.UNKNOWN_KID, null);
        }
        final JWTClaimsSet claims;
        try {
            claims = (kind == Kind.ACCESS ? accessProcessor : refreshProcessor).process(signed, null);
        } catch (BadJWTException e) {
            // claims are checked after the signature: the subject can be trusted here
            return new Rejected(claimsReason(e), subjectOf(signed));
        } catch (BadJWSException e) {
            return new Rejected(AuditReasons.BAD_SIGNATURE, null);
        } catch (BadJOSEException e) {
            final String message = String.valueOf(e.getMessage());
            return new Rejected(message.contains("typ") ? AuditReasons.WRONG_TOKEN_TYPE : AuditReasons.MALFORMED, null);
        } catch (JOSEException | RuntimeException e) {
            return new Rejected(AuditReasons.MALFORMED, null);
        }
        if (!wellFormed(claims, kind)) {
            return new Rejected(AuditReasons.MISSING_CLAIM, null);
        }
        return new Valid(claims);
    }

    /** The person an access token speaks for; only for a {@link Valid} access token. */
    public static UserCaller caller(Valid valid) {
        final JWTClaimsSet claims = valid.claims();
        try {
            return new UserCaller(valid.userId(), claims.getStringClaim(CLAIM_USERNAME),
                    claims.getStringClaim(CLAIM_EMAIL), claims.getStringListClaim(CLAIM_ROLES));
        } catch (ParseException e) {
            throw new IllegalStateException("a checked token's claims do not parse", e);
        }
    }

    private static boolean wellFormed(JWTClaimsSet claims, Kind kind) {
        try {
            final long sub = Long.parseLong(claims.getSubject());
            if (sub <= 0) {
                return false;
            }
            if (kind == Kind.ACCESS) {
                final List<String> roles = claims.getStringListClaim(CLAIM_ROLES);
                return claims.getStringClaim(CLAIM_USERNAME) != null && roles != null && !roles.contains(null);
            }
            return claims.getStringClaim(CLAIM_FAMILY) != null;
        } catch (ParseException | NumberFormatException e) {
            return false;
        }
    }

    private static String claimsReason(BadJWTException e) {
        if (e instanceof ExpiredJWTException) {
            return AuditReasons.EXPIRED;
        }
        final String message = String.valueOf(e.getMessage());
        if (message.contains("before use time")) {
            return AuditReasons.NOT_YET_VALID;
        }
        if (message.contains("iss claim")) {
            return AuditReasons.WRONG_ISSUER;
        }
        if (message.contains("aud claim")) {
            return AuditReasons.WRONG_AUDIENCE;
        }
        if (message.contains("missing required claims")) {
            return AuditReasons.MISSING_CLAIM;
        }
        return AuditReasons.MALFORMED;
    }

    private static Long subjectOf(SignedJWT jwt) {
        try {
            return Long.parseLong(jwt.getJWTClaimsSet().getSubject());
        } catch (ParseException | NumberFormatException | NullPointerException e) {
            return null;
        }
    }
}
