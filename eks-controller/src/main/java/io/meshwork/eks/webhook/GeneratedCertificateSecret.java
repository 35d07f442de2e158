package io.meshwork.eks.webhook;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The webhook certificate the controller makes when none is mounted, kept in a Secret of its own
 * namespace so that every replica, and the next pod of a rollout, serves the same one: a
 * certificate per pod would replace the webhook configurations' {@code caBundle} under the pods
 * still serving, and admission would fail until they stopped. It is made again 30 days before it
 * expires; the previous CA stays in the bundle meanwhile so pods still serving the old one are
 * trusted.
 */
public final class GeneratedCertificateSecret {
    private static final Logger LOG = LoggerFactory.getLogger(GeneratedCertificateSecret.class);
    static final String CHAIN = "tls.crt";
    static final String KEY = "tls.key";
    static final String CA = "ca.crt";
    static final String PREVIOUS_CA = "ca-previous.crt";
    private static final Duration RENEW_BEFORE = Duration.ofDays(30);

    private GeneratedCertificateSecret() {
    }

    public static WebhookCertificate obtain(KubernetesClient client, String namespace, String name, List<String> dnsNames)
            throws IOException, GeneralSecurityException {
        var secrets = client.secrets().inNamespace(namespace);
        for (int attempt = 0; attempt < 3; attempt++) {
            Secret existing = secrets.withName(name).get();
            if (existing != null) {
                WebhookCertificate kept = read(existing);
                if (kept != null && kept.usableFor(dnsNames.get(0), RENEW_BEFORE)) {
                    return kept;
                }
            }
            WebhookCertificate made = WebhookCertificate.generate(dnsNames);
            String previousCa = existing == null ? null : text(existing, CA);
            Map<String, String> data = new HashMap<>();
            data.put(CHAIN, made.chainPem());
            data.put(KEY, made.keyPem());
            data.put(CA, made.caBundle());
            if (previousCa != null) {
                data.put(PREVIOUS_CA, previousCa);
            }
            Secret secret = new SecretBuilder().withNewMetadata().withName(name).withNamespace(namespace)
                    .withResourceVersion(existing == null ? null : existing.getMetadata().getResourceVersion())
                    .addToLabels("app.kubernetes.io/name", "meshwork-controller").endMetadata()
                    .withType("kubernetes.io/tls").withData(encode(data)).build();
            try {
                if (existing == null) {
                    secrets.resource(secret).create();
                } else {
                    secrets.resource(secret).update();
                }
                LOG.info("made the webhook certificate ({} until {}) and kept it in Secret {}/{}", dnsNames.get(0),
                        made.serving().getNotAfter().toInstant(), namespace, name);
                return WebhookCertificate.fromPem(data.get(CHAIN), data.get(KEY), bundle(data.get(CA), previousCa));
            } catch (KubernetesClientException e) {
                if (e.getCode() != 409) {
                    throw e;
                }
                // Another replica made one at the same moment: use that.
            }
        }
        throw new IllegalStateException("could not settle the webhook certificate in Secret " + namespace + "/" + name
                + ": it kept changing under this replica");
    }

    private static WebhookCertificate read(Secret secret) {
        String chain = text(secret, CHAIN);
        String key = text(secret, KEY);
        String ca = text(secret, CA);
        if (chain == null || key == null || ca == null) {
            return null;
        }
        try {
            return WebhookCertificate.fromPem(chain, key, bundle(ca, text(secret, PREVIOUS_CA)));
        } catch (IOException | GeneralSecurityException | RuntimeException e) {
            LOG.warn("Secret {} does not hold a usable certificate ({}); making a new one", secret.getMetadata().getName(), e.getMessage());
            return null;
        }
    }

    private static String bundle(String ca, String previous) {
        return previous == null ? ca : ca + previous;
    }

    private static String text(Secret secret, String field) {
        String value = secret.getData() == null ? null : secret.getData().get(field);
        return value == null ? null : new String(Base64.getDecoder().decode(value), StandardCharsets.US_ASCII);
    }

    private static Map<String, String> encode(Map<String, String> data) {
        Map<String, String> out = new HashMap<>();
        data.forEach((k, v) -> out.put(k, Base64.getEncoder().encodeToString(v.getBytes(StandardCharsets.US_ASCII))));
        return out;
    }
}
