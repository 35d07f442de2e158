package io.meshwork.controlapi.compiler;

import com.fasterxml.jackson.databind.JsonNode;
import io.meshwork.proxyapi.Tls;

import java.util.ArrayList;
import java.util.List;

/** Listener TLS and client policies, from App Mesh's spec shapes to the proxy's. */
final class TlsCompiler {
    private TlsCompiler() {
    }

    /** A listener's {@code tls}; null when absent or DISABLED. */
    static Tls.Server server(JsonNode tls) {
        if (!tls.isObject() || "DISABLED".equals(tls.path("mode").asText())) {
            return null;
        }
        return new Tls.Server(Tls.Mode.valueOf(tls.path("mode").asText()), certificate(tls.path("certificate")), validation(tls.path("validation")));
    }

    /** A {@code clientPolicy}'s {@code tls}; null when absent. */
    static Tls.Client client(JsonNode clientPolicy) {
        JsonNode tls = clientPolicy.path("tls");
        if (!tls.isObject()) {
            return null;
        }
        List<Integer> ports = new ArrayList<>();
        tls.path("ports").forEach(p -> ports.add(p.asInt()));
        return new Tls.Client(tls.path("enforce").asBoolean(true), ports.isEmpty() ? null : ports, certificate(tls.path("certificate")),
                validation(tls.path("validation")));
    }

    private static Tls.Certificate certificate(JsonNode c) {
        if (!c.isObject()) {
            return null;
        }
        return new Tls.Certificate(text(c.path("sds").path("secretName")), text(c.path("file").path("certificateChain")),
                text(c.path("file").path("privateKey")), text(c.path("acm").path("certificateArn")));
    }

    private static Tls.Validation validation(JsonNode v) {
        if (!v.isObject()) {
            return null;
        }
        JsonNode trust = v.path("trust");
        List<String> acm = null;
        if (trust.path("acm").isObject()) {
            acm = new ArrayList<>();
            for (JsonNode arn : trust.path("acm").path("certificateAuthorityArns")) {
                acm.add(arn.asText());
            }
        }
        List<String> sans = null;
        JsonNode exact = v.path("subjectAlternativeNames").path("match").path("exact");
        if (exact.isArray()) {
            sans = new ArrayList<>();
            for (JsonNode name : exact) {
                sans.add(name.asText());
            }
        }
        return new Tls.Validation(text(trust.path("sds").path("secretName")), text(trust.path("file").path("certificateChain")), acm, sans);
    }

    private static String text(JsonNode n) {
        return n.isTextual() ? n.asText() : null;
    }
}
