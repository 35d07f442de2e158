package io.meshwork.proxyapi;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;

import java.math.BigDecimal;
import java.util.List;
import java.util.Map;

/**
 * A login with an AWS identity ({@code POST /meshwork/v1/aws-login}): the parts of an
 * {@code sts:GetCallerIdentity} request the caller signed with its AWS credentials but did not
 * send. The control API sends it to STS itself and learns from STS's answer who signed it, as
 * Vault's AWS auth method does. The signature covers the {@value #SERVER_ID_HEADER} header, so
 * the request is good only for the control API it names.
 *
 * @param method  {@code POST}
 * @param url     the STS endpoint the control API names in {@link Parameters}
 * @param headers every header the request was signed with, Authorization included
 * @param body    {@code Action=GetCallerIdentity&Version=2011-06-15}
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record AwsLogin(String method, String url, Map<String, List<String>> headers, String body) {
    public static final String PATH = "/meshwork/v1/aws-login";
    /** Names the control API the signed request is meant for (Vault's X-Vault-AWS-IAM-Server-ID). */
    public static final String SERVER_ID_HEADER = "X-Meshwork-Server-ID";
    public static final String BODY = "Action=GetCallerIdentity&Version=2011-06-15";

    /** The signed request is a credential for 15 minutes: it is never printed. */
    @Override
    public String toString() {
        return "AwsLogin[" + method + " " + url + "]";
    }

    /** {@code GET /meshwork/v1/aws-login}: which STS endpoint and region to sign for. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Parameters(String stsEndpoint, String stsRegion) {
    }

    /**
     * The answer: Meshwork session credentials for ordinary SigV4 (the session token travels in
     * {@code X-Amz-Security-Token}, as with AWS's own temporary credentials).
     *
     * @param expiration   epoch seconds with milliseconds
     * @param principalArn the identity STS vouched for ({@code arn:aws:sts::A:assumed-role/R/S})
     * @param mappedArn    the mapping whose policy the session carries ({@code arn:aws:iam::A:role/R})
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Session(String accessKeyId, String secretAccessKey, String sessionToken, BigDecimal expiration,
                          String principalArn, String mappedArn) {
        public static Session of(String accessKeyId, String secretAccessKey, String sessionToken, long expirationMillis,
                                 String principalArn, String mappedArn) {
            return new Session(accessKeyId, secretAccessKey, sessionToken, BigDecimal.valueOf(expirationMillis, 3),
                    principalArn, mappedArn);
        }

        public long expirationMillis() {
            return expiration == null ? 0 : expiration.movePointRight(3).longValue();
        }

        /** The secret and the token stay out of every log line. */
        @Override
        public String toString() {
            return "Session[" + accessKeyId + ", " + principalArn + " as " + mappedArn + ", expires " + expiration + "]";
        }
    }
}
