package io.authservice.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import io.authservice.config.JwtConfig;
import io.authservice.audit.OwnerOnlyFiles;
import org.bouncycastle.jce.ECNamedCurveTable;
import org.bouncycastle.jce.spec.ECNamedCurveParameterSpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECPoint;
import java.security.spec.ECPublicKeySpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The token keys: one EC P-256 key that signs (ES256), and every configured key, that one included,
 * for verifying. Each key's {@code kid} is its RFC 7638 JWK thumbprint, so it needs no naming and
 * is the same on every instance that has the key. Keys are read from PKCS#8 ({@code PRIVATE KEY})
 * or X.509 ({@code PUBLIC KEY}) PEM.
 */
public final class JwtKeys {
    /** The only algorithm this service signs with or accepts (RFC 8725: an explicit allow-list). */
    public static final JWSAlgorithm ALGORITHM = JWSAlgorithm.ES256;

    private static final Logger LOG = LoggerFactory.getLogger(JwtKeys.class);
    private static final Pattern PEM = Pattern.compile(
            "-----BEGIN ([A-Z ]+)-----([A-Za-z0-9+/=\\s]+)-----END \\1-----");

    private final ECKey signing;
    private final JWKSet verification;

    public JwtKeys(ECKey signing, List<ECKey> previous) {
        if (!signing.isPrivate()) {
            throw new IllegalArgumentException("the signing key must be a private key");
        }
        this.signing = signing;
        final Map<String, JWK> byKid = new LinkedHashMap<>();
        byKid.put(signing.getKeyID(), signing.toPublicJWK());
        for (ECKey key : previous) {
            byKid.putIfAbsent(key.getKeyID(), key.toPublicJWK());
        }
        this.verification = new JWKSet(new ArrayList<>(byKid.values()));
    }

    /** The keys as configured: the signing key from PEM text or its file (generated there if absent). */
    public static JwtKeys load(JwtConfig config, SecureRandom random) {
        final JwtConfig.SigningKeyConfig signingConfig = config.getSigningKey();
        final ECKey signing;
        if (signingConfig.hasPem()) {
            signing = parse(signingConfig.getPem(), "jwt.signingKey.pem");
        } else if (signingConfig.getFile() != null) {
            final Path file = signingConfig.getFile();
            if (Files.notExists(file)) {
                generateInto(file, random);
            }
            signing = parse(read(file), file.toString());
        } else {
            throw new IllegalStateException("jwt.signingKey needs either 'pem' or 'file'");
        }
        final List<ECKey> previous = new ArrayList<>();
        for (JwtConfig.KeyConfig key : config.getPreviousKeys()) {
            if (key.hasPem()) {
                previous.add(parse(key.getPem(), "jwt.previousKeys[].pem"));
            } else if (key.getFile() != null) {
                previous.add(parse(read(key.getFile()), key.getFile().toString()));
            } else {
                throw new IllegalStateException("each of jwt.previousKeys needs either 'pem' or 'file'");
            }
        }
        return new JwtKeys(signing, previous);
    }

    /** The key that signs new tokens. */
    public ECKey signing() {
        return signing;
    }

    /** Every key that verifies, public parts only. */
    public JWKSet verification() {
        return verification;
    }

    /** The JWKS document: {@code {"keys":[...]}}, public parts only. */
    public Map<String, Object> publicJwks() {
        return verification.toJSONObject(true);
    }

    /** A fresh P-256 key pair, as a JWK with its thumbprint as {@code kid}. */
    public static ECKey generate(SecureRandom random) {
        try {
            final KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"), random);
            final KeyPair pair = generator.generateKeyPair();
            return toJwk((ECPublicKey) pair.getPublic(), (ECPrivateKey) pair.getPrivate());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot generate an EC P-256 key pair", e);
        }
    }

    /** The PKCS#8 PEM of a private key (what {@link #parse} reads back). */
    public static String toPem(ECKey key) {
        try {
            final byte[] der = key.toECPrivateKey().getEncoded();
            return "-----BEGIN PRIVATE KEY-----\n" + Base64.getMimeEncoder(64, new byte[]{'\n'}).encodeToString(der)
                    + "\n-----END PRIVATE KEY-----\n";
        } catch (JOSEException e) {
            throw new IllegalStateException("cannot encode the key", e);
        }
    }

    /** The X.509 PEM of a key's public part. */
    public static String toPublicPem(ECKey key) {
        try {
            final byte[] der = key.toECPublicKey().getEncoded();
            return "-----BEGIN PUBLIC KEY-----\n" + Base64.getMimeEncoder(64, new byte[]{'\n'}).encodeToString(der)
                    + "\n-----END PUBLIC KEY-----\n";
        } catch (JOSEException e) {
            throw new IllegalStateException("cannot encode the key", e);
        }
    }

    /**
     * Reads an EC P-256 key from PEM: {@code PRIVATE KEY} (PKCS#8; its public part is derived) or
     * {@code PUBLIC KEY} (verify only). Messages name {@code where}, never the key material.
     */
    public static ECKey parse(String pem, String where) {
        final Matcher m = PEM.matcher(pem == null ? "" : pem);
        if (!m.find()) {
            throw new IllegalStateException(where + ": not a PEM key (expected -----BEGIN PRIVATE KEY----- "
                    + "or -----BEGIN PUBLIC KEY-----)");
        }
        final String type = m.group(1);
        try {
            final byte[] der = Base64.getMimeDecoder().decode(m.group(2));
            final KeyFactory factory = KeyFactory.getInstance("EC");
            return switch (type) {
                case "PRIVATE KEY" -> {
                    final ECPrivateKey priv = (ECPrivateKey) factory.generatePrivate(new PKCS8EncodedKeySpec(der));
                    checkCurve(Curve.forECParameterSpec(priv.getParams()), where);
                    yield toJwk(derivePublic(priv, factory), priv);
                }
                case "PUBLIC KEY" -> {
                    final ECPublicKey pub = (ECPublicKey) factory.generatePublic(new X509EncodedKeySpec(der));
                    checkCurve(Curve.forECParameterSpec(pub.getParams()), where);
                    yield toJwk(pub, null);
                }
                default -> throw new IllegalStateException(where + ": a '" + type + "' PEM block is not supported; "
                        + "convert an EC PRIVATE KEY with: openssl pkcs8 -topk8 -nocrypt");
            };
        } catch (GeneralSecurityException | IllegalArgumentException | ClassCastException e) {
            throw new IllegalStateException(where + ": not a readable EC P-256 key", e);
        }
    }

    private static void checkCurve(Curve curve, String where) {
        if (!Curve.P_256.equals(curve)) {
            throw new IllegalStateException(where + ": only EC P-256 keys (ES256) are supported");
        }
    }

    private static ECPublicKey derivePublic(ECPrivateKey priv, KeyFactory factory) throws GeneralSecurityException {
        final ECNamedCurveParameterSpec spec = ECNamedCurveTable.getParameterSpec("secp256r1");
        final org.bouncycastle.math.ec.ECPoint q = spec.getG().multiply(priv.getS()).normalize();
        return (ECPublicKey) factory.generatePublic(new ECPublicKeySpec(
                new ECPoint(q.getAffineXCoord().toBigInteger(), q.getAffineYCoord().toBigInteger()), priv.getParams()));
    }

    private static ECKey toJwk(ECPublicKey pub, ECPrivateKey priv) {
        try {
            final ECKey.Builder builder = new ECKey.Builder(Curve.P_256, pub)
                    .keyUse(KeyUse.SIGNATURE)
                    .algorithm(ALGORITHM);
            if (priv != null) {
                builder.privateKey(priv);
            }
            return builder.keyIDFromThumbprint().build();
        } catch (JOSEException e) {
            throw new IllegalStateException("cannot compute the key's thumbprint", e);
        }
    }

    private static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the JWT key file " + file, e);
        }
    }

    private static void generateInto(Path file, SecureRandom random) {
        try {
            final ECKey key = generate(random);
            if (!OwnerOnlyFiles.createWith(file, toPem(key).getBytes(StandardCharsets.US_ASCII))) {
                return; // another process on the same data directory made it first
            }
            LOG.info("Created a JWT signing key (kid {}) in {} (readable by its owner only)", key.getKeyID(), file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the JWT signing key file " + file, e);
        }
    }
}
