package io.authservice.audit.seal;

import java.security.PublicKey;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/** The public keys a verifier trusts, by key id: the writer's current key and the keys it had before. */
public final class SealKeyRing {
    private final Map<String, PublicKey> keys;

    private SealKeyRing(Map<String, PublicKey> keys) {
        this.keys = Map.copyOf(keys);
    }

    public static SealKeyRing of(Collection<PublicKey> publicKeys) {
        final Map<String, PublicKey> keys = new LinkedHashMap<>();
        for (PublicKey key : publicKeys) {
            keys.put(SealKey.keyIdOf(key), key);
        }
        return new SealKeyRing(keys);
    }

    /** Both rings' keys. */
    public SealKeyRing with(SealKeyRing other) {
        final Map<String, PublicKey> keys = new LinkedHashMap<>(this.keys);
        keys.putAll(other.keys);
        return new SealKeyRing(keys);
    }

    public Optional<PublicKey> key(String keyId) {
        return Optional.ofNullable(keys.get(keyId));
    }

    /** Every key, by key id. */
    public Map<String, PublicKey> keys() {
        return keys;
    }
}
