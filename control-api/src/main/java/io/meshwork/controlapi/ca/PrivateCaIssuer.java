package io.meshwork.controlapi.ca;

import io.meshwork.controlapi.config.ControlApiSettings;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Singleton;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.core.client.config.SdkAdvancedClientOption;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.retries.api.BackoffStrategy;
import software.amazon.awssdk.services.acmpca.AcmPcaClient;
import software.amazon.awssdk.services.acmpca.AcmPcaClientBuilder;
import software.amazon.awssdk.services.acmpca.model.GeneralName;
import software.amazon.awssdk.services.acmpca.model.GetCertificateAuthorityCertificateResponse;
import software.amazon.awssdk.services.acmpca.model.GetCertificateResponse;
import software.amazon.awssdk.services.acmpca.model.SigningAlgorithm;
import software.amazon.awssdk.services.acmpca.model.ValidityPeriodType;

import java.net.URI;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Workload certificates from AWS Private CA, for meshes configured with one: IssueCertificate
 * with the proxy's CSR (the APIPassthrough template carries the SPIFFE ID and DNS names as
 * subjectAltNames), then the SDK's waiter until GetCertificate has it. Throttling and 5xx are
 * retried by the SDK's standard strategy with jittered backoff. The client is built on first use.
 */
@Singleton
public final class PrivateCaIssuer {
    private static final Logger LOG = LoggerFactory.getLogger(PrivateCaIssuer.class);
    static final String TEMPLATE = "arn:aws:acm-pca:::template/EndEntityCertificate_APIPassthrough/V1";

    /** A certificate Private CA issued, with the chain up to (and without) its root, and that root. */
    public record Issued(X509Certificate leaf, List<X509Certificate> chain, List<X509Certificate> roots) {
    }

    private final String region;
    private final String endpoint;
    private final Map<String, List<X509Certificate>> caCertificates = new ConcurrentHashMap<>();
    private volatile AcmPcaClient client;

    PrivateCaIssuer(ControlApiSettings settings, CaSettings ca) {
        this.region = settings.region();
        this.endpoint = ca.privateCaEndpoint();
    }

    public Issued issue(String caArn, String csrPem, List<String> uris, List<String> dnsNames, Instant notAfter) {
        List<X509Certificate> ca = caChain(caArn);
        String keyAlgorithm = ca.get(0).getPublicKey().getAlgorithm();
        List<GeneralName> sans = new ArrayList<>();
        uris.forEach(u -> sans.add(GeneralName.builder().uniformResourceIdentifier(u).build()));
        dnsNames.forEach(d -> sans.add(GeneralName.builder().dnsName(d).build()));
        String certificateArn = client().issueCertificate(r -> r.certificateAuthorityArn(caArn)
                .csr(SdkBytes.fromUtf8String(csrPem))
                .signingAlgorithm("RSA".equals(keyAlgorithm) ? SigningAlgorithm.SHA256_WITHRSA : SigningAlgorithm.SHA256_WITHECDSA)
                .templateArn(TEMPLATE)
                .apiPassthrough(p -> p.extensions(e -> e.subjectAlternativeNames(sans)))
                .validity(v -> v.type(ValidityPeriodType.ABSOLUTE).value(notAfter.getEpochSecond()))
                .idempotencyToken(UUID.randomUUID().toString().substring(0, 36))).certificateArn();
        client().waiter().waitUntilCertificateIssued(r -> r.certificateAuthorityArn(caArn).certificateArn(certificateArn));
        GetCertificateResponse got = client().getCertificate(r -> r.certificateAuthorityArn(caArn).certificateArn(certificateArn));
        X509Certificate leaf = MeshCertificateAuthority.parse(got.certificate());
        List<X509Certificate> chain = got.certificateChain() == null ? List.of() : Pem.parseAll(got.certificateChain());
        return new Issued(leaf, withoutRoots(chain), roots(ca));
    }

    /** The CA's own certificate and its chain (cached: they change only when the CA is renewed). */
    public List<X509Certificate> caChain(String caArn) {
        return caCertificates.computeIfAbsent(caArn, arn -> {
            GetCertificateAuthorityCertificateResponse r = client().getCertificateAuthorityCertificate(b -> b.certificateAuthorityArn(arn));
            List<X509Certificate> out = new ArrayList<>();
            out.add(MeshCertificateAuthority.parse(r.certificate()));
            if (r.certificateChain() != null && !r.certificateChain().isBlank()) {
                out.addAll(Pem.parseAll(r.certificateChain()));
            }
            LOG.info("AWS Private CA {}: {}", arn, out.get(0).getSubjectX500Principal());
            return out;
        });
    }

    /** The trust anchors for a Private CA: the self-signed certificates of its chain (itself, for a root CA). */
    public List<X509Certificate> roots(List<X509Certificate> ca) {
        List<X509Certificate> out = new ArrayList<>();
        for (X509Certificate c : ca) {
            if (c.getSubjectX500Principal().equals(c.getIssuerX500Principal())) {
                out.add(c);
            }
        }
        return out.isEmpty() ? List.of(ca.get(ca.size() - 1)) : out;
    }

    private static List<X509Certificate> withoutRoots(List<X509Certificate> chain) {
        return chain.stream().filter(c -> !c.getSubjectX500Principal().equals(c.getIssuerX500Principal())).toList();
    }

    private AcmPcaClient client() {
        AcmPcaClient c = client;
        if (c == null) {
            synchronized (this) {
                if (client == null) {
                    AcmPcaClientBuilder b = AcmPcaClient.builder().region(Region.of(region))
                            .credentialsProvider(DefaultCredentialsProvider.builder().build())
                            .httpClientBuilder(UrlConnectionHttpClient.builder())
                            .overrideConfiguration(o -> {
                                o.retryStrategy(AwsRetryStrategy.standardRetryStrategy().toBuilder().maxAttempts(5)
                                        .backoffStrategy(BackoffStrategy.exponentialDelay(Duration.ofMillis(100), Duration.ofSeconds(5)))
                                        .throttlingBackoffStrategy(BackoffStrategy.exponentialDelay(Duration.ofMillis(500), Duration.ofSeconds(10)))
                                        .build());
                                if (endpoint != null && !endpoint.isBlank()) {
                                    o.putAdvancedOption(SdkAdvancedClientOption.DISABLE_HOST_PREFIX_INJECTION, true);
                                }
                            });
                    if (endpoint != null && !endpoint.isBlank()) {
                        b.endpointOverride(URI.create(endpoint));
                    }
                    client = b.build();
                }
                c = client;
            }
        }
        return c;
    }

    @PreDestroy
    void close() {
        if (client != null) {
            client.close();
        }
    }
}
