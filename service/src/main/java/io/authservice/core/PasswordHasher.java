package io.authservice.core;

import com.google.common.base.Suppliers;
import org.bouncycastle.crypto.generators.Argon2BytesGenerator;
import org.bouncycastle.crypto.params.Argon2Parameters;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.regex.Matcher;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * Hashes passwords with Argon2id and checks them, in the standard PHC string form
 * {@code $argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>} (unpadded standard Base64). Verification
 * reads the parameters back from the stored string, so the parameters for new hashes can change
 * without invalidating old ones ({@link #needsRehash} says which to upgrade at the next sign-in).
 * Every check and every new hash holds {@link Params#memoryKib} of memory while it runs, so they run
 * under a {@link ConcurrencyLimit}: one that finds no free turn in time is refused with
 * {@link ConcurrencyLimit.OverloadedException} instead of piling up until the heap runs out.
 */
public final class PasswordHasher {
    /** OWASP's recommended Argon2id parameters: 19 MiB, 2 iterations, 1 lane. */
    public static final Params OWASP = new Params(19 * 1024, 2, 1);
    /** How long a check waits for a turn by default before it is refused. */
    public static final Duration DEFAULT_MAX_WAIT = Duration.ofSeconds(1);

    private static final int SALT_BYTES = 16;
    private static final int HASH_BYTES = 32;
    private static final Pattern PHC = Pattern.compile(
            "\\$argon2id\\$v=19\\$m=(\\d{1,8}),t=(\\d{1,4}),p=(\\d{1,3})\\$([A-Za-z0-9+/]{11,88})\\$([A-Za-z0-9+/]{22,88})");
    // bounds on what a stored string may ask for, so a corrupted row cannot make a check take minutes
    private static final int MAX_MEMORY_KIB = 1024 * 1024;
    private static final int MAX_ITERATIONS = 64;
    private static final int MAX_PARALLELISM = 16;

    private final SecureRandom random;
    private final Params params;
    private final ConcurrencyLimit limit;
    private final Supplier<String> dummy;

    /** Argon2id parameters: memory in KiB, iterations, parallelism. */
    public record Params(int memoryKib, int iterations, int parallelism) {
        public Params {
            if (parallelism < 1 || parallelism > MAX_PARALLELISM) {
                throw new IllegalArgumentException("parallelism must be 1.." + MAX_PARALLELISM);
            }
            if (iterations < 1 || iterations > MAX_ITERATIONS) {
                throw new IllegalArgumentException("iterations must be 1.." + MAX_ITERATIONS);
            }
            if (memoryKib < 8 * parallelism || memoryKib > MAX_MEMORY_KIB) {
                throw new IllegalArgumentException("memory must be 8*parallelism.." + MAX_MEMORY_KIB + " KiB");
            }
        }
    }

    /** How many checks run at once by default: one per core, and at least two. */
    public static int defaultMaxConcurrent() {
        return Math.max(2, Runtime.getRuntime().availableProcessors());
    }

    /** OWASP parameters, the default number of checks at once and the default wait. */
    public PasswordHasher(SecureRandom random) {
        this(random, OWASP);
    }

    public PasswordHasher(SecureRandom random, Params params) {
        this(random, params, new ConcurrencyLimit(defaultMaxConcurrent(), DEFAULT_MAX_WAIT, () -> { }));
    }

    public PasswordHasher(SecureRandom random, Params params, ConcurrencyLimit limit) {
        this.random = random;
        this.params = params;
        this.limit = limit;
        // a real hash of a random password, made on first need: checking against it costs what checking a real user costs
        this.dummy = Suppliers.memoize(() -> {
            final byte[] filler = new byte[32];
            random.nextBytes(filler);
            return hash(Base64.getEncoder().encodeToString(filler));
        });
    }

    /**
     * A fresh PHC string for {@code password}, with a random salt and this hasher's parameters.
     *
     * @throws ConcurrencyLimit.OverloadedException when no turn came free in time
     */
    public String hash(String password) {
        final byte[] salt = new byte[SALT_BYTES];
        random.nextBytes(salt);
        final byte[] hash = limit.call(() -> derive(password, salt, params, HASH_BYTES));
        final Base64.Encoder b64 = Base64.getEncoder().withoutPadding();
        return "$argon2id$v=19$m=" + params.memoryKib() + ",t=" + params.iterations() + ",p=" + params.parallelism()
                + "$" + b64.encodeToString(salt) + "$" + b64.encodeToString(hash);
    }

    /**
     * Whether {@code password} matches {@code encoded}, compared in constant time. A null, malformed
     * or unsupported {@code encoded} matches nothing.
     *
     * @throws ConcurrencyLimit.OverloadedException when no turn came free in time
     */
    public boolean verify(String password, String encoded) {
        if (password == null) {
            return false;
        }
        final Decoded decoded = decode(encoded);
        if (decoded == null) {
            return false;
        }
        final byte[] actual = limit.call(() -> derive(password, decoded.salt(), decoded.params(), decoded.hash().length));
        return MessageDigest.isEqual(actual, decoded.hash());
    }

    /**
     * Spends what {@link #verify} spends for a real user and answers false: call it when there is no
     * such user (or the user has no password), so the answer's timing does not tell which.
     *
     * @throws ConcurrencyLimit.OverloadedException when no turn came free in time
     */
    public boolean verifyDummy(String password) {
        verify(password == null ? "" : password, dummyHash());
        return false;
    }

    /** The hash {@link #verifyDummy} checks against; made with this hasher's parameters, so it costs what a real one does. */
    String dummyHash() {
        return dummy.get();
    }

    /** Whether {@code encoded} was made with other parameters than this hasher's (or cannot be read). */
    public boolean needsRehash(String encoded) {
        final Decoded decoded = decode(encoded);
        return decoded == null || !decoded.params().equals(params) || decoded.hash().length != HASH_BYTES
                || decoded.salt().length < SALT_BYTES;
    }

    /** Raw Argon2id (version 1.3) output for a password's UTF-8 bytes. */
    static byte[] derive(String password, byte[] salt, Params params, int length) {
        final byte[] bytes = password.getBytes(StandardCharsets.UTF_8);
        try {
            return derive(bytes, salt, null, null, params, length);
        } finally {
            Arrays.fill(bytes, (byte) 0);
        }
    }

    /** Raw Argon2id (version 1.3) with the optional secret and associated data of RFC 9106. */
    static byte[] derive(byte[] password, byte[] salt, byte[] secret, byte[] associated, Params params, int length) {
        final Argon2Parameters.Builder builder = new Argon2Parameters.Builder(Argon2Parameters.ARGON2_id)
                .withVersion(Argon2Parameters.ARGON2_VERSION_13)
                .withMemoryAsKB(params.memoryKib())
                .withIterations(params.iterations())
                .withParallelism(params.parallelism())
                .withSalt(salt);
        if (secret != null) {
            builder.withSecret(secret);
        }
        if (associated != null) {
            builder.withAdditional(associated);
        }
        final Argon2BytesGenerator generator = new Argon2BytesGenerator();
        generator.init(builder.build());
        final byte[] out = new byte[length];
        generator.generateBytes(password, out);
        return out;
    }

    private record Decoded(Params params, byte[] salt, byte[] hash) {
    }

    private static Decoded decode(String encoded) {
        if (encoded == null) {
            return null;
        }
        final Matcher m = PHC.matcher(encoded);
        if (!m.matches()) {
            return null;
        }
        try {
            final Params params = new Params(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)),
                    Integer.parseInt(m.group(3)));
            final byte[] salt = Base64.getDecoder().decode(m.group(4));
            final byte[] hash = Base64.getDecoder().decode(m.group(5));
            if (salt.length < 8 || hash.length < 16) {
                return null;
            }
            return new Decoded(params, salt, hash);
        } catch (IllegalArgumentException e) {
            return null; // out-of-range parameters or bad Base64
        }
    }
}
