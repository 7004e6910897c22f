package io.authservice.audit.seal;

import io.authservice.audit.OwnerOnlyFiles;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A writer's signing key and the public keys its verifier trusts, as {@link SealConfig} says: the
 * key from the configuration, or from its file, generated on first start like the JWT key. Every
 * public key the file ever held is appended to {@code <keyFile>.pub} beside it, so a key replaced
 * (rotated: remove the file, restart) still verifies the digests it signed.
 */
public record SealKeys(SealKey signing, SealKeyRing trusted) {
    private static final Logger LOG = LoggerFactory.getLogger(SealKeys.class);
    private static final Pattern BLOCK = Pattern.compile("-----BEGIN ([A-Z ]+)-----([^-]*)-----END \\1-----");

    public static SealKeys load(SealConfig config) {
        final SealKey signing;
        final List<PublicKey> trusted = new ArrayList<>();
        if (config.getKey() != null && !config.getKey().isBlank()) {
            signing = parse(config.getKey(), "audit.seal.key");
        } else {
            signing = fromFile(config.getKeyFile());
            trusted.addAll(publicKeys(readIfExists(publicKeysFile(config.getKeyFile())), publicKeysFile(config.getKeyFile()).toString()));
        }
        trusted.add(signing.publicKey());
        for (String key : config.getTrustedKeys()) {
            trusted.addAll(publicKeys(key, "audit.seal.trustedKeys"));
        }
        return new SealKeys(signing, SealKeyRing.of(trusted));
    }

    /**
     * The public keys a verifier trusts, without making a key: the configured key's, those in
     * {@code <keyFile>.pub} and in {@code trustedKeys} (a verifier may run where no writer does).
     */
    public static SealKeyRing trusted(SealConfig config) {
        final List<PublicKey> trusted = new ArrayList<>();
        if (config.getKey() != null && !config.getKey().isBlank()) {
            trusted.add(parse(config.getKey(), "audit.seal.key").publicKey());
        }
        final Path publicKeys = publicKeysFile(config.getKeyFile());
        trusted.addAll(publicKeys(readIfExists(publicKeys), publicKeys.toString()));
        for (String key : config.getTrustedKeys()) {
            trusted.addAll(publicKeys(key, "audit.seal.trustedKeys"));
        }
        return SealKeyRing.of(trusted);
    }

    /** Where the public keys of every key {@code keyFile} held are kept. */
    public static Path publicKeysFile(Path keyFile) {
        return keyFile.resolveSibling(keyFile.getFileName() + ".pub");
    }

    private static SealKey fromFile(Path file) {
        try {
            if (Files.notExists(file)) {
                final SealKey key = SealKey.generate();
                // the public key first: a process killed between the two writes leaves a public key
                // no private key matches (harmless), never a private key whose seals cannot be checked.
                // Owner-only too: the data directory holds nothing others may read (a public key
                // is no secret, but one rule for every file is one rule to check)
                final Path publicKeys = publicKeysFile(file);
                final String publicPem = publicPem(key.publicBase64());
                OwnerOnlyFiles.replace(publicKeys, (readIfExists(publicKeys) + publicPem).getBytes(StandardCharsets.US_ASCII));
                if (OwnerOnlyFiles.createWith(file, toPem(key).getBytes(StandardCharsets.US_ASCII))) {
                    if (!readIfExists(publicKeys).contains(publicPem)) { // a process starting beside this one replaced it meanwhile
                        OwnerOnlyFiles.replace(publicKeys, (readIfExists(publicKeys) + publicPem).getBytes(StandardCharsets.US_ASCII));
                    }
                    LOG.info("Created the audit seal key {} in {} (readable by its owner only)", key.keyId(), file);
                }
            }
            return parse(Files.readString(file, StandardCharsets.US_ASCII), file.toString());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read or create the audit seal key file " + file, e);
        }
    }

    private static String readIfExists(Path file) {
        try {
            return Files.exists(file) ? Files.readString(file, StandardCharsets.US_ASCII) : "";
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    /** The key's PEM: its {@code PRIVATE KEY} (PKCS#8) and {@code PUBLIC KEY} (X.509) blocks. */
    public static String toPem(SealKey key) {
        return "-----BEGIN PRIVATE KEY-----\n" + key.privateBase64() + "\n-----END PRIVATE KEY-----\n" + publicPem(key.publicBase64());
    }

    public static String publicPem(String publicBase64) {
        return "-----BEGIN PUBLIC KEY-----\n" + publicBase64 + "\n-----END PUBLIC KEY-----\n";
    }

    static SealKey parse(String pem, String where) {
        String privateKey = null;
        String publicKey = null;
        final Matcher block = BLOCK.matcher(pem);
        while (block.find()) {
            final String body = block.group(2).replaceAll("\\s", "");
            switch (block.group(1)) {
                case "PRIVATE KEY" -> privateKey = body;
                case "PUBLIC KEY" -> publicKey = body;
                default -> throw new IllegalArgumentException(where + ": an unexpected " + block.group(1) + " block");
            }
        }
        if (privateKey == null || publicKey == null) {
            throw new IllegalArgumentException(where + ": an audit seal key needs a PRIVATE KEY and a PUBLIC KEY block");
        }
        try {
            final SealKey key = SealKey.of(privateKey, publicKey);
            final byte[] probe = "probe".getBytes(StandardCharsets.US_ASCII);
            if (!SealKey.verifies(key.publicKey(), probe, key.sign(probe))) {
                throw new IllegalArgumentException("its PUBLIC KEY is not the PRIVATE KEY's");
            }
            return key;
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(where + ": " + e.getMessage(), e);
        }
    }

    /** Public keys from PEM {@code PUBLIC KEY} blocks, or one bare base64 X.509 key. */
    static List<PublicKey> publicKeys(String text, String where) {
        final List<PublicKey> keys = new ArrayList<>();
        final Matcher block = BLOCK.matcher(text);
        while (block.find()) {
            if (block.group(1).equals("PUBLIC KEY")) {
                keys.add(publicKey(block.group(2).replaceAll("\\s", ""), where));
            }
        }
        if (keys.isEmpty() && !text.isBlank() && !text.contains("-----")) {
            keys.add(publicKey(text.replaceAll("\\s", ""), where));
        }
        return keys;
    }

    private static PublicKey publicKey(String base64, String where) {
        try {
            return SealKey.publicKey(base64);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(where + ": " + e.getMessage(), e);
        }
    }

    /** The public key as base64 X.509 (as {@code trustedKeys} and {@code /.well-known/audit-keys.json} give it). */
    public static String base64(PublicKey key) {
        return Base64.getEncoder().encodeToString(key.getEncoded());
    }
}
