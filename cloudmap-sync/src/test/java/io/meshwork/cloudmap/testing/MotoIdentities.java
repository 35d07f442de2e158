package io.meshwork.cloudmap.testing;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.signer.Aws4Signer;
import software.amazon.awssdk.auth.signer.params.Aws4SignerParams;
import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.http.SdkHttpFullRequest;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.regions.Region;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * AWS identities from a {@link MotoServer}'s STS: temporary credentials of an assumed role, as
 * an ECS task role, IRSA or an instance profile would hand them out, and moto's own signature
 * checks switched on. moto accepts any signature until {@link #enableSignatureChecks()}; after
 * it, every request to it must be signed with credentials moto issued (it checks the signature,
 * the access key and the session token, not the signing time).
 */
public final class MotoIdentities {
    private static final Pattern CREDENTIAL = Pattern.compile("<(AccessKeyId|SecretAccessKey|SessionToken|Expiration)>([^<]*)<");

    private final URI endpoint;
    private final HttpClient http = HttpClient.newHttpClient();

    public MotoIdentities(MotoServer moto) {
        this.endpoint = moto.endpoint();
    }

    /** sts:AssumeRole of {@code roleArn} (moto needs no such role to exist): the session's credentials. */
    public AwsSessionCredentials assumeRole(String roleArn, String sessionName) {
        String body = "Action=AssumeRole&Version=2011-06-15&RoleArn=" + URLEncoder.encode(roleArn, StandardCharsets.UTF_8)
                + "&RoleSessionName=" + URLEncoder.encode(sessionName, StandardCharsets.UTF_8) + "&DurationSeconds=3600";
        String answer = post(body);
        String keyId = null;
        String secret = null;
        String token = null;
        Instant expiration = null;
        Matcher m = CREDENTIAL.matcher(answer);
        while (m.find()) {
            switch (m.group(1)) {
                case "AccessKeyId" -> keyId = m.group(2);
                case "SecretAccessKey" -> secret = m.group(2);
                case "SessionToken" -> token = m.group(2);
                default -> expiration = Instant.parse(m.group(2).replace("+00:00", "Z"));
            }
        }
        if (keyId == null || secret == null || token == null) {
            throw new IllegalStateException("moto's AssumeRole answered without credentials: " + answer);
        }
        return AwsSessionCredentials.builder().accessKeyId(keyId).secretAccessKey(secret).sessionToken(token)
                .expirationTime(expiration).build();
    }

    /** From now on moto refuses requests not signed with credentials it issued (POST /moto-api/reset-auth). */
    public void enableSignatureChecks() {
        try {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(endpoint.resolve("/moto-api/reset-auth"))
                    .POST(HttpRequest.BodyPublishers.ofString("0")).build(), HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                throw new IllegalStateException("moto did not switch on its signature checks: " + response.body());
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** An STS query call, signed (moto routes by the credential scope) with throwaway keys. */
    private String post(String body) {
        SdkHttpFullRequest signed = Aws4Signer.create().sign(SdkHttpFullRequest.builder().method(SdkHttpMethod.POST)
                        .uri(endpoint.resolve("/")).putHeader("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
                        .contentStreamProvider(ContentStreamProvider.fromUtf8String(body)).build(),
                Aws4SignerParams.builder().awsCredentials(AwsBasicCredentials.create("AKIAMOTOSETUP0000000", "setup"))
                        .signingName("sts").signingRegion(Region.US_EAST_1).build());
        HttpRequest.Builder request = HttpRequest.newBuilder(endpoint.resolve("/")).POST(HttpRequest.BodyPublishers.ofString(body));
        signed.headers().forEach((name, values) -> {
            if (!name.equalsIgnoreCase("Host")) {
                values.forEach(v -> request.header(name, v));
            }
        });
        try {
            HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                throw new IllegalStateException("moto STS answered " + response.statusCode() + ": " + response.body());
            }
            return response.body();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
