package io.wharf.core.auth.jwt;

import java.util.ArrayList;
import java.util.List;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.RSAKey;

/**
 * The public signing keys of one JWKS document, each with its verifier built once. Immutable, so
 * any thread may read the ring a key source currently holds.
 */
final class KeyRing {
    static final KeyRing EMPTY = new KeyRing(List.of());

    /** One signing key: its id (may be null), the algorithm it is pinned to (may be null), its verifier. */
    record Entry(String kid, JWSAlgorithm pinned, JWK key, JWSVerifier verifier) {
    }

    private final List<Entry> entries;

    private KeyRing(List<Entry> entries) {
        this.entries = List.copyOf(entries);
    }

    /**
     * The RSA and EC signing keys of a JWKS document; symmetric ({@code oct}) keys, private parts and
     * keys meant for encryption are dropped: a JWKS only ever provides public keys.
     */
    static KeyRing of(JWKSet set) throws JOSEException {
        List<Entry> entries = new ArrayList<>();
        for (JWK jwk : set.toPublicJWKSet().getKeys()) {
            if (jwk.getKeyUse() != null && !KeyUse.SIGNATURE.equals(jwk.getKeyUse())) {
                continue;
            }
            JWSAlgorithm pinned = jwk.getAlgorithm() == null ? null : JWSAlgorithm.parse(jwk.getAlgorithm().getName());
            if (jwk instanceof RSAKey rsa) {
                entries.add(new Entry(jwk.getKeyID(), pinned, jwk, new RSASSAVerifier(rsa)));
            } else if (jwk instanceof ECKey ec) {
                entries.add(new Entry(jwk.getKeyID(), pinned, jwk, new ECDSAVerifier(ec)));
            }
        }
        return new KeyRing(entries);
    }

    /** Whether a key has this id. */
    boolean hasKid(String kid) {
        return entries.stream().anyMatch(e -> kid.equals(e.kid()));
    }

    /** The keys a token with this algorithm and key id (null: any) may be verified with. */
    List<Entry> candidates(JWSAlgorithm alg, String kid) {
        List<Entry> out = new ArrayList<>(2);
        for (Entry e : entries) {
            if (kid != null && !kid.equals(e.kid())) {
                continue;
            }
            if (e.pinned() != null && !e.pinned().equals(alg)) {
                continue;
            }
            boolean fits = e.key() instanceof RSAKey
                    ? JWSAlgorithm.Family.RSA.contains(alg)
                    : e.key() instanceof ECKey ec && JWSAlgorithm.Family.EC.contains(alg)
                    && Curve.forJWSAlgorithm(alg).contains(ec.getCurve());
            if (fits) {
                out.add(e);
            }
        }
        return out;
    }

    int size() {
        return entries.size();
    }
}
