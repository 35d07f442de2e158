package io.meshwork.proxyapi;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;

import java.math.BigDecimal;

/**
 * A proxy asks for its workload certificate ({@code POST /meshwork/v1/proxies/{proxyId}/certificate})
 * with a CSR: its private key never leaves it.
 *
 * @param resourceArn the node or gateway whose identity it asks for
 * @param csr         the PKCS#10 request, PEM
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record CertificateRequest(String resourceArn, String csr) {
    /**
     * The answer: the leaf with its issuing chain, the mesh's trust bundle, the serial, the expiry
     * (epoch seconds with milliseconds, as App Mesh writes times) and the SPIFFE ID it carries.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Issued(String certificateChain, String trustBundle, String serial, BigDecimal notAfter, String spiffeId) {
        public static Issued of(String certificateChain, String trustBundle, String serial, long notAfterMillis, String spiffeId) {
            return new Issued(certificateChain, trustBundle, serial, BigDecimal.valueOf(notAfterMillis, 3), spiffeId);
        }

        public long notAfterMillis() {
            return notAfter == null ? 0 : notAfter.movePointRight(3).longValue();
        }
    }
}
