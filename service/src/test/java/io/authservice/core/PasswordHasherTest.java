package io.authservice.core;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.HexFormat;

import static org.assertj.core.api.Assertions.assertThat;

class PasswordHasherTest {
    private static final PasswordHasher HASHER = new PasswordHasher(new SecureRandom());

    @Test
    void hashesInThePhcFormWithOwaspParametersAndARandomSalt() {
        final String encoded = HASHER.hash("correct horse battery staple");

        assertThat(encoded).matches("\\$argon2id\\$v=19\\$m=19456,t=2,p=1\\$[A-Za-z0-9+/]{22}\\$[A-Za-z0-9+/]{43}");
        assertThat(encoded).doesNotContain("correct horse");
        assertThat(HASHER.hash("correct horse battery staple")).isNotEqualTo(encoded);
    }

    @Test
    void verifiesTheRightPasswordOnly() {
        final String encoded = HASHER.hash("s3cret-pässword");

        assertThat(HASHER.verify("s3cret-pässword", encoded)).isTrue();
        assertThat(HASHER.verify("s3cret-password", encoded)).isFalse();
        assertThat(HASHER.verify("", encoded)).isFalse();
        assertThat(HASHER.verify(null, encoded)).isFalse();
    }

    @Test
    void refusesTamperedOrMalformedStrings() {
        final String encoded = HASHER.hash("password123");
        final String[] parts = encoded.split("\\$");
        final char last = parts[5].charAt(0);
        final String otherHash = encoded.replace("$" + parts[5], "$" + (last == 'A' ? 'B' : 'A') + parts[5].substring(1));
        final String otherSalt = encoded.replace("$" + parts[4] + "$", "$" + (parts[4].charAt(0) == 'A' ? 'B' : 'A')
                + parts[4].substring(1) + "$");

        assertThat(HASHER.verify("password123", otherHash)).isFalse();
        assertThat(HASHER.verify("password123", otherSalt)).isFalse();
        assertThat(HASHER.verify("password123", encoded.replace("t=2", "t=3"))).isFalse();
        assertThat(HASHER.verify("password123", encoded.replace("argon2id", "argon2i"))).isFalse();
        assertThat(HASHER.verify("password123", encoded.replace("v=19", "v=16"))).isFalse();
        assertThat(HASHER.verify("password123", encoded.replace("m=19456", "m=99999999"))).isFalse();
        assertThat(HASHER.verify("password123", encoded + "$")).isFalse();
        assertThat(HASHER.verify("password123", "")).isFalse();
        assertThat(HASHER.verify("password123", null)).isFalse();
        assertThat(HASHER.verify("password123", encoded)).isTrue();
    }

    @Test
    void readsParametersBackFromTheStoredString() {
        final PasswordHasher cheaper = new PasswordHasher(new SecureRandom(), new PasswordHasher.Params(1024, 1, 2));
        final String old = cheaper.hash("password123");

        assertThat(old).startsWith("$argon2id$v=19$m=1024,t=1,p=2$");
        assertThat(HASHER.verify("password123", old)).isTrue();
        assertThat(HASHER.needsRehash(old)).isTrue();
        assertThat(HASHER.needsRehash(HASHER.hash("password123"))).isFalse();
    }

    @Test
    void verifiesTheReferenceImplementationsPhcString() {
        // from the Argon2 reference implementation's tests: "password", salt "somesalt", m=65536, t=2, p=1
        final String reference = "$argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc";

        assertThat(HASHER.verify("password", reference)).isTrue();
        assertThat(HASHER.verify("Password", reference)).isFalse();
    }

    @Test
    void matchesTheRfc9106TestVector() {
        // RFC 9106 section 5.3: Argon2id, m=32 KiB, t=3, p=4, with secret and associated data
        final byte[] password = filled(32, 0x01);
        final byte[] salt = filled(16, 0x02);
        final byte[] secret = filled(8, 0x03);
        final byte[] associated = filled(12, 0x04);

        final byte[] tag = PasswordHasher.derive(password, salt, secret, associated, new PasswordHasher.Params(32, 3, 4), 32);

        assertThat(HexFormat.of().formatHex(tag))
                .isEqualTo("0d640df58d78766c08c037a34a8b53c9d01ef0452d75b65eb52520e96b01e659");
    }

    @Test
    void dummyVerificationAnswersFalseForAnyPassword() {
        assertThat(HASHER.verifyDummy("password123")).isFalse();
        assertThat(HASHER.verifyDummy(null)).isFalse();
    }

    @Test
    void derivesFromUtf8Bytes() {
        final byte[] salt = "somesalt".getBytes(StandardCharsets.UTF_8);
        final PasswordHasher.Params params = new PasswordHasher.Params(64, 1, 1);

        assertThat(PasswordHasher.derive("é", salt, params, 32))
                .isEqualTo(PasswordHasher.derive("é".getBytes(StandardCharsets.UTF_8), salt, null, null, params, 32));
    }

    private static byte[] filled(int length, int value) {
        final byte[] bytes = new byte[length];
        Arrays.fill(bytes, (byte) value);
        return bytes;
    }

    @Test
    void theDummyCheckForUnknownUsersCostsWhatARealCheckCosts() {
        final PasswordHasher hasher = new PasswordHasher(new SecureRandom());
        // same algorithm, parameters, salt and hash lengths as a real user's hash: the same Argon2id work
        assertThat(hasher.needsRehash(hasher.dummyHash())).isFalse();
        assertThat(hasher.dummyHash()).startsWith("$argon2id$v=19$m=19456,t=2,p=1$");
        assertThat(hasher.dummyHash().length()).isEqualTo(hasher.hash("any password").length());
        assertThat(hasher.verifyDummy("any password")).isFalse();
    }
}
