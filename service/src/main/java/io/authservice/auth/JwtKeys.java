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
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.jce.ECNamedCurveTable;
import org.bouncycastle.jce.spec.ECNamedCurveParameterSpec;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.util.encoders.DecoderException;
import org.bouncycastle.util.io.pem.PemGenerationException;
import org.bouncycastle.util.io.pem.PemObject;
import org.bouncycastle.util.io.pem.PemReader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
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
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The token keys: one EC P-256 key that signs (ES256), and every configured key, that one included,
 * for verifying. Each key's {@code kid} is its RFC 7638 JWK thumbprint, so it needs no naming and
 * is the same on every instance that has the key. Keys are read from PKCS#8 ({@code PRIVATE KEY})
 * or X.509 ({@code PUBLIC KEY}) PEM, with Bouncy Castle's PEM reader and writer.
 */
public final class JwtKeys {
    /** The only algorithm this service signs with or accepts (RFC 8725: an explicit allow-list). */
    public static final JWSAlgorithm ALGORITHM = JWSAlgorithm.ES256;

    private static final Logger LOG = LoggerFactory.getLogger(JwtKeys.class);
    /** A PEM boundary line, wherever its line breaks went (a folded YAML scalar turns them into spaces). */
    private static final Pattern BOUNDARY = Pattern.compile("-----(BEGIN|END) [A-Z0-9 ]+-----");
    private static final java.util.Set<String> SUPPORTED = java.util.Set.of("PRIVATE KEY", "PUBLIC KEY");

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

    /** The PKCS#8 PEM ({@code PRIVATE KEY}) of a private key (what {@link #parse} reads back). */
    public static String toPem(ECKey key) {
        try {
            return pem(new JcaPKCS8Generator(key.toECPrivateKey(), null));
        } catch (JOSEException | PemGenerationException e) {
            throw new IllegalStateException("cannot encode the key", e);
        }
    }

    /** The X.509 PEM ({@code PUBLIC KEY}) of a key's public part. */
    public static String toPublicPem(ECKey key) {
        try {
            return pem(key.toECPublicKey());
        } catch (JOSEException e) {
            throw new IllegalStateException("cannot encode the key", e);
        }
    }

    private static String pem(Object object) {
        final StringWriter text = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(text)) {
            writer.writeObject(object);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return text.toString();
    }

    /**
     * Reads an EC P-256 key from PEM (Bouncy Castle's {@link PEMParser}): {@code PRIVATE KEY}
     * (PKCS#8; its public part is derived) or {@code PUBLIC KEY} (verify only). The boundary lines may have lost
     * their line breaks, as in an environment variable read through a plain YAML scalar. Messages
     * name {@code where}, never the key material.
     */
    public static ECKey parse(String pem, String where) {
        final String text = BOUNDARY.matcher(pem == null ? "" : pem).replaceAll("\n$0\n");
        final PemObject block;
        try (PemReader reader = new PemReader(new StringReader(text))) {
            block = reader.readPemObject();
        } catch (IOException | DecoderException e) {
            throw new IllegalStateException(where + ": not a readable EC P-256 key", e);
        }
        if (block == null) {
            throw new IllegalStateException(where + ": not a PEM key (expected -----BEGIN PRIVATE KEY----- "
                    + "or -----BEGIN PUBLIC KEY-----)");
        }
        if (!SUPPORTED.contains(block.getType())) {
            throw new IllegalStateException(where + ": a '" + block.getType() + "' PEM block is not supported; "
                    + "convert an EC PRIVATE KEY with: openssl pkcs8 -topk8 -nocrypt");
        }
        final JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
        try (PEMParser parser = new PEMParser(new StringReader(text))) {
            final Object parsed = parser.readObject();
            if (parsed instanceof PrivateKeyInfo info) {
                return privateKey((ECPrivateKey) converter.getPrivateKey(info), where);
            }
            final ECPublicKey pub = (ECPublicKey) converter.getPublicKey((SubjectPublicKeyInfo) parsed);
            checkCurve(Curve.forECParameterSpec(pub.getParams()), where);
            return toJwk(pub, null);
        } catch (GeneralSecurityException | IOException | DecoderException | IllegalArgumentException | ClassCastException e) {
            throw new IllegalStateException(where + ": not a readable EC P-256 key", e);
        }
    }

    private static ECKey privateKey(ECPrivateKey priv, String where) throws GeneralSecurityException {
        checkCurve(Curve.forECParameterSpec(priv.getParams()), where);
        return toJwk(derivePublic(priv, KeyFactory.getInstance("EC")), priv);
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
