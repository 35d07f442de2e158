package io.meshwork.proxyapi;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.util.List;

/** A route's retry policy, as App Mesh's HttpRetryPolicy / GrpcRetryPolicy. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record RetryPolicy(int maxRetries, long perRetryTimeoutMillis, List<String> httpRetryEvents,
                          List<String> tcpRetryEvents, List<String> grpcRetryEvents) {
}
