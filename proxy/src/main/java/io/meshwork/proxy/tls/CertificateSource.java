package io.meshwork.proxy.tls;

import io.meshwork.proxyapi.CertificateRequest;

import java.io.IOException;

/** Where the proxy's workload certificate comes from: the control plane signs a CSR; the key stays here. */
@FunctionalInterface
public interface CertificateSource {
    CertificateRequest.Issued issue(String csrPem) throws IOException, InterruptedException;
}
