package io.meshwork.eks.webhook;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;

/**
 * Writes the CA of a certificate the controller made itself into its webhook configurations'
 * {@code caBundle}, so the API server trusts the webhook without cert-manager.
 */
public final class CaBundleInstaller {
    private static final Logger LOG = LoggerFactory.getLogger(CaBundleInstaller.class);

    private CaBundleInstaller() {
    }

    /** @return how many configurations were updated */
    public static int install(KubernetesClient client, List<String> configurations, String caPem) {
        String bundle = Base64.getEncoder().encodeToString(caPem.getBytes(StandardCharsets.UTF_8));
        int updated = 0;
        for (String name : configurations) {
            try {
                var mutating = client.admissionRegistration().v1().mutatingWebhookConfigurations().withName(name);
                if (mutating.get() != null) {
                    mutating.edit(c -> {
                        c.getWebhooks().forEach(w -> w.getClientConfig().setCaBundle(bundle));
                        return c;
                    });
                    updated++;
                    continue;
                }
                var validating = client.admissionRegistration().v1().validatingWebhookConfigurations().withName(name);
                if (validating.get() != null) {
                    validating.edit(c -> {
                        c.getWebhooks().forEach(w -> w.getClientConfig().setCaBundle(bundle));
                        return c;
                    });
                    updated++;
                    continue;
                }
                LOG.warn("webhook configuration {} not found: the API server cannot call the webhook until its caBundle is set"
                        + " (apply config/default, or use the cert-manager overlay)", name);
            } catch (KubernetesClientException e) {
                LOG.warn("could not set the caBundle of webhook configuration {}: {}", name, e.getMessage());
            }
        }
        return updated;
    }
}
