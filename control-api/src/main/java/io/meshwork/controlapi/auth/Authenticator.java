package io.meshwork.controlapi.auth;

import io.meshwork.controlapi.auth.keys.AccessKey;
import io.meshwork.controlapi.auth.keys.AccessKeys;
import io.meshwork.controlapi.auth.sigv4.SigV4Verifier;
import io.meshwork.controlapi.auth.sigv4.SignatureException;
import io.meshwork.controlapi.auth.sigv4.SignedRequest;
import io.meshwork.controlapi.config.ControlApiSettings;
import io.meshwork.controlapi.error.AppMeshException;
import io.micronaut.http.HttpRequest;
import jakarta.inject.Singleton;

import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Turns a signed HTTP request into the access key that signed it, or a ForbiddenException. */
@Singleton
public final class Authenticator {
    public static final String SIGNING_NAME = "appmesh";

    private final SigV4Verifier verifier;
    private final AccessKeys keys;

    public Authenticator(ControlApiSettings settings, AccessKeys keys, Clock clock) {
        this.verifier = new SigV4Verifier(SIGNING_NAME, settings.region(), settings.maxClockSkew(), clock);
        this.keys = keys;
    }

    public AccessKey authenticate(HttpRequest<?> request, byte[] body) {
        Map<String, List<String>> headers = new LinkedHashMap<>();
        request.getHeaders().forEach((name, values) ->
                headers.computeIfAbsent(name.toLowerCase(Locale.ROOT), k -> new ArrayList<>()).addAll(values));
        SignedRequest signed = new SignedRequest(request.getMethodName(), request.getUri().getRawPath(),
                request.getUri().getRawQuery(), headers, body);
        try {
            String keyId = verifier.verify(signed, id -> keys.find(id).map(AccessKey::secretAccessKey));
            return keys.find(keyId).orElseThrow(() -> new SignatureException("access key " + keyId + " was revoked"));
        } catch (SignatureException e) {
            throw AppMeshException.forbidden(e.getMessage());
        }
    }
}
