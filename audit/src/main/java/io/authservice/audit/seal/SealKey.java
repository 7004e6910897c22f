package io.authservice.audit.seal;

import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Objects;

/**
 * A writer's Ed25519 signing key (the JDK's own, no library), named by its key id: {@code ed25519:}
 * and the first 16 hex digits of the SHA-256 of its public key, so a verifier can name the key a
 * digest claims without holding it.
 */
public final class SealKey {
    static final String ALGORITHM = "Ed25519";

    private final String keyId;
    private final PrivateKey privateKey;
    private final PublicKey publicKey;

    private SealKey(PrivateKey privateKey, PublicKey publicKey) {
        this.privateKey = Objects.requireNonNull(privateKey, "privateKey");
        this.publicKey = Objects.requireNonNull(publicKey, "publicKey");
        this.keyId = keyIdOf(publicKey);
    }

    /** A new random key. */
    public static SealKey generate() {
        try {
            final KeyPair pair = KeyPairGenerator.getInstance(ALGORITHM).generateKeyPair();
            return new SealKey(pair.getPrivate(), pair.getPublic());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JDK cannot make Ed25519 keys", e);
        }
    }

    /** The key from its PKCS#8 and X.509 encodings, base64 (as {@link #privateBase64} and {@link #publicBase64} give them). */
    public static SealKey of(String privateBase64, String publicBase64) {
        try {
            final KeyFactory factory = KeyFactory.getInstance(ALGORITHM);
            final PrivateKey privateKey = factory.generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(privateBase64.strip())));
            return new SealKey(privateKey, publicKey(publicBase64));
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new IllegalArgumentException("not an Ed25519 key pair: " + e.getMessage(), e);
        }
    }

    /** A public key from its X.509 encoding, base64. */
    public static PublicKey publicKey(String publicBase64) {
        try {
            return KeyFactory.getInstance(ALGORITHM).generatePublic(new X509EncodedKeySpec(Base64.getDecoder().decode(publicBase64.strip())));
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new IllegalArgumentException("not an Ed25519 public key: " + e.getMessage(), e);
        }
    }

    public static String keyIdOf(PublicKey publicKey) {
        return "ed25519:" + HexFormat.of().formatHex(Sha256.of(publicKey.getEncoded()), 0, 8);
    }

    public String keyId() {
        return keyId;
    }

    public PublicKey publicKey() {
        return publicKey;
    }

    public String publicBase64() {
        return Base64.getEncoder().encodeToString(publicKey.getEncoded());
    }

    String privateBase64() {
        return Base64.getEncoder().encodeToString(privateKey.getEncoded());
    }

    /** The Ed25519 signature of {@code content}, base64. */
    public String sign(byte[] content) {
        try {
            final Signature signature = Signature.getInstance(ALGORITHM);
            signature.initSign(privateKey);
            signature.update(content);
            return Base64.getEncoder().encodeToString(signature.sign());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot sign with " + keyId, e);
        }
    }

    /** True when {@code signatureBase64} is {@code publicKey}'s signature of {@code content}. */
    public static boolean verifies(PublicKey publicKey, byte[] content, String signatureBase64) {
        try {
            final Signature signature = Signature.getInstance(ALGORITHM);
            signature.initVerify(publicKey);
            signature.update(content);
            return signature.verify(Base64.getDecoder().decode(signatureBase64));
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            return false;
        }
    }

    @Override
    public String toString() {
        return "SealKey[" + keyId + "]";  // never the private key
    }

    /** SHA-256, which every JDK has. */
    static final class Sha256 {
        private Sha256() {
        }

        static MessageDigest digest() {
            try {
                return MessageDigest.getInstance("SHA-256");
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("this JDK has no SHA-256", e);
            }
        }

        static byte[] of(byte[] bytes) {
            return digest().digest(bytes);
        }

        static String hex(byte[] bytes) {
            return HexFormat.of().formatHex(of(bytes));
        }
    }
}
