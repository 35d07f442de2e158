package io.meshwork.proxyapi.login;

import io.meshwork.proxyapi.AwsLogin;
import software.amazon.awssdk.auth.credentials.AwsCredentials;
import software.amazon.awssdk.auth.signer.Aws4Signer;
import software.amazon.awssdk.auth.signer.params.Aws4SignerParams;
import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.http.SdkHttpFullRequest;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.regions.Region;

import java.net.URI;
import java.time.Clock;

/**
 * Signs the {@code sts:GetCallerIdentity} request a login carries, with the AWS SDK's own SigV4
 * signer: the caller's AWS secret never leaves it, only the signature does. The server id is a
 * signed header, so the request proves nothing to any other control API (or Vault) it might be
 * shown to.
 */
public final class CallerIdentityRequest {
    private CallerIdentityRequest() {
    }

    public static AwsLogin sign(AwsCredentials credentials, AwsLogin.Parameters sts, String serverId, Clock clock) {
        URI url = URI.create(sts.stsEndpoint()).resolve("/");
        SdkHttpFullRequest unsigned = SdkHttpFullRequest.builder()
                .method(SdkHttpMethod.POST)
                .uri(url)
                .putHeader("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
                .putHeader(AwsLogin.SERVER_ID_HEADER, serverId)
                .contentStreamProvider(ContentStreamProvider.fromUtf8String(AwsLogin.BODY))
                .build();
        SdkHttpFullRequest signed = Aws4Signer.create().sign(unsigned, Aws4SignerParams.builder()
                .awsCredentials(credentials)
                .signingName("sts")
                .signingRegion(Region.of(sts.stsRegion()))
                .signingClockOverride(clock)
                .build());
        return new AwsLogin("POST", url.toString(), signed.headers(), AwsLogin.BODY);
    }
}
