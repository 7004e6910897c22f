package io.authservice.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.authservice.core.PasswordHasher;
import io.dropwizard.util.Duration;
import io.dropwizard.validation.MaxDuration;
import io.dropwizard.validation.MinDuration;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;

import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** People's sign-in: JWT issuing and checking, the token cookies, password hashing and failed-login throttling. */
public class JwtConfig {
    /** The {@code iss} of every token issued, and the only one accepted. */
    @NotBlank
    @JsonProperty
    private String issuer = "auth-service";

    /** The {@code aud} of every token issued, and the only one accepted. */
    @NotBlank
    @JsonProperty
    private String audience = "auth-service";

    @NotNull
    @MinDuration(value = 10, unit = TimeUnit.SECONDS)
    @MaxDuration(value = 1, unit = TimeUnit.HOURS)
    @JsonProperty
    private Duration accessTokenLifetime = Duration.minutes(5);

    @NotNull
    @MinDuration(value = 1, unit = TimeUnit.MINUTES)
    @MaxDuration(value = 90, unit = TimeUnit.DAYS)
    @JsonProperty
    private Duration refreshTokenLifetime = Duration.days(1);

    /** How far {@code exp} and {@code nbf} may be off between this service and whoever else issues or checks. */
    @NotNull
    @MaxDuration(value = 5, unit = TimeUnit.MINUTES)
    @JsonProperty
    private Duration clockSkew = Duration.seconds(30);

    /** How many verified access tokens each instance remembers (by hash) until they expire, to skip re-verifying. */
    @Min(1)
    @JsonProperty
    private long verifiedTokenCacheSize = 100_000;

    /** The key that signs new tokens (it also verifies). */
    @Valid
    @NotNull
    @JsonProperty
    private SigningKeyConfig signingKey = new SigningKeyConfig();

    /** Earlier signing keys that still verify the tokens they signed, each chosen by its {@code kid}. */
    @Valid
    @NotNull
    @JsonProperty
    private List<KeyConfig> previousKeys = new ArrayList<>();

    @Valid
    @NotNull
    @JsonProperty
    private CookieConfig cookies = new CookieConfig();

    @Valid
    @NotNull
    @JsonProperty
    private LoginThrottleConfig loginThrottle = new LoginThrottleConfig();

    @Valid
    @NotNull
    @JsonProperty
    private PasswordHashingConfig passwordHashing = new PasswordHashingConfig();

    public String getIssuer() {
        return issuer;
    }

    public String getAudience() {
        return audience;
    }

    public Duration getAccessTokenLifetime() {
        return accessTokenLifetime;
    }

    public Duration getRefreshTokenLifetime() {
        return refreshTokenLifetime;
    }

    public Duration getClockSkew() {
        return clockSkew;
    }

    public long getVerifiedTokenCacheSize() {
        return verifiedTokenCacheSize;
    }

    public SigningKeyConfig getSigningKey() {
        return signingKey;
    }

    public List<KeyConfig> getPreviousKeys() {
        return previousKeys;
    }

    public CookieConfig getCookies() {
        return cookies;
    }

    public LoginThrottleConfig getLoginThrottle() {
        return loginThrottle;
    }

    public PasswordHashingConfig getPasswordHashing() {
        return passwordHashing;
    }

    /** A key given as PEM text (e.g. from an environment variable) or as a PEM file. */
    public static class KeyConfig {
        /** The PEM text; when empty, {@link #file} is read. */
        @JsonProperty
        private String pem;

        @JsonProperty
        private Path file;

        public String getPem() {
            return pem;
        }

        public Path getFile() {
            return file;
        }

        public boolean hasPem() {
            return pem != null && !pem.isBlank();
        }
    }

    /**
     * The signing key: an EC P-256 private key, PKCS#8 PEM ({@code -----BEGIN PRIVATE KEY-----}). When
     * no PEM text is given and the file does not exist, a new key is generated into the file
     * (readable by its owner only) on first start and reused afterwards.
     */
    public static class SigningKeyConfig extends KeyConfig {
        public SigningKeyConfig() {
            super.file = Paths.get("data", "jwt-signing-key.pem");
        }
    }

    /** The names and flags of the token cookies. */
    public static class CookieConfig {
        @NotBlank
        @JsonProperty
        private String accessName = "access_token";

        @NotBlank
        @JsonProperty
        private String refreshName = "refresh_token";

        /** Send the cookies over HTTPS only. On by default; config.yml turns it off for plain http://localhost. */
        @JsonProperty
        private boolean secure = true;

        /** Optional {@code Domain} attribute; empty means the host that answered. */
        @JsonProperty
        private String domain;

        /**
         * Origins ({@code https://app.example.com}) besides the service's own whose pages may send
         * state-changing requests with the cookies. Empty (the default): the service's own origin only.
         */
        @NotNull
        @JsonProperty
        private List<String> allowedOrigins = new ArrayList<>();

        public String getAccessName() {
            return accessName;
        }

        public String getRefreshName() {
            return refreshName;
        }

        public boolean isSecure() {
            return secure;
        }

        public String getDomain() {
            return domain == null || domain.isBlank() ? null : domain;
        }

        public List<String> getAllowedOrigins() {
            return allowedOrigins;
        }
    }

    /**
     * Failed sign-ins allowed within a window, before 429: per account from one client address (what
     * a person mistyping meets), per account from all addresses together (the ceiling on guessing one
     * account's password from many addresses), and per client address for all accounts.
     */
    public static class LoginThrottleConfig {
        @Min(1)
        @JsonProperty
        private int maxFailuresPerAccountAndAddress = 5;

        @Min(1)
        @JsonProperty
        private int maxFailuresPerAccount = 100;

        @Min(1)
        @JsonProperty
        private int maxFailuresPerAddress = 20;

        @NotNull
        @MinDuration(value = 1, unit = TimeUnit.SECONDS)
        @JsonProperty
        private Duration window = Duration.minutes(5);

        @Min(1)
        @JsonProperty
        private long maximumTracked = 100_000;

        public int getMaxFailuresPerAccountAndAddress() {
            return maxFailuresPerAccountAndAddress;
        }

        public int getMaxFailuresPerAccount() {
            return maxFailuresPerAccount;
        }

        public int getMaxFailuresPerAddress() {
            return maxFailuresPerAddress;
        }

        public Duration getWindow() {
            return window;
        }

        public long getMaximumTracked() {
            return maximumTracked;
        }
    }

    /**
     * How many password checks (sign-ins, new passwords) run at once, and how long one waits for a
     * turn before the sign-in is answered 503. Each Argon2id check holds 19 MiB while it runs.
     */
    public static class PasswordHashingConfig {
        /** Unset: one per core, at least two. */
        @Min(1)
        @JsonProperty
        private Integer maxConcurrent;

        @NotNull
        @MaxDuration(value = 30, unit = TimeUnit.SECONDS)
        @JsonProperty
        private Duration maxWait = Duration.milliseconds(PasswordHasher.DEFAULT_MAX_WAIT.toMillis());

        public int getMaxConcurrent() {
            return maxConcurrent != null ? maxConcurrent : PasswordHasher.defaultMaxConcurrent();
        }

        public Duration getMaxWait() {
            return maxWait;
        }
    }
}
