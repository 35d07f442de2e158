package io.meshwork.cloudmap.client;

import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.client.config.SdkAdvancedClientOption;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.retries.api.BackoffStrategy;
import software.amazon.awssdk.services.servicediscovery.ServiceDiscoveryClient;
import software.amazon.awssdk.services.servicediscovery.ServiceDiscoveryClientBuilder;

import java.net.URI;
import java.time.Duration;

/**
 * The one way Meshwork builds its Cloud Map client, so discovery and registration retry alike.
 *
 * <p>Throttling (RequestLimitExceeded, ThrottlingException) and 5xx answers are retried by the
 * SDK's standard strategy with full-jitter exponential backoff; throttling waits start longer
 * (200 ms) than other errors (50 ms) so a throttled account backs off instead of adding load.
 * Each call is bounded (5 s) so an unreachable Cloud Map delays one poll, not the poller.
 */
public final class CloudMapClients {
    private CloudMapClients() {
    }

    /**
     * @param endpoint an endpoint override (an emulator such as moto_server), or null for AWS
     * @param credentials null for the default AWS chain
     */
    public static ServiceDiscoveryClient create(String region, URI endpoint, AwsCredentialsProvider credentials) {
        ServiceDiscoveryClientBuilder b = ServiceDiscoveryClient.builder()
                .region(Region.of(region))
                .credentialsProvider(credentials != null ? credentials : DefaultCredentialsProvider.builder().build())
                .httpClientBuilder(UrlConnectionHttpClient.builder()
                        .connectionTimeout(Duration.ofSeconds(2))
                        .socketTimeout(Duration.ofSeconds(5)))
                .overrideConfiguration(o -> {
                    o.retryStrategy(AwsRetryStrategy.standardRetryStrategy().toBuilder()
                            .maxAttempts(5)
                            .backoffStrategy(BackoffStrategy.exponentialDelay(Duration.ofMillis(50), Duration.ofSeconds(2)))
                            .throttlingBackoffStrategy(BackoffStrategy.exponentialDelay(Duration.ofMillis(200), Duration.ofSeconds(5)))
                            .build());
                    o.apiCallAttemptTimeout(Duration.ofSeconds(5));
                    o.apiCallTimeout(Duration.ofSeconds(15));
                    if (endpoint != null) {
                        // DiscoverInstances is served from "data-" + the endpoint's host on AWS; an
                        // override (often an IP address) must be called as given.
                        o.putAdvancedOption(SdkAdvancedClientOption.DISABLE_HOST_PREFIX_INJECTION, true);
                    }
                });
        if (endpoint != null) {
            b.endpointOverride(endpoint);
        }
        return b.build();
    }
}
