package io.meshwork.proxyapi;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.util.List;

/**
 * A compiled route: what it matches, where it sends (weighted targets), how it retries and
 * times out. A virtual service provided directly by a node gets one implicit match-all route.
 *
 * @param name     route name ({@code router/route}, or {@code implicit})
 * @param protocol {@code http}, {@code http2}, {@code grpc} or {@code tcp}
 * @param http     request match for http/http2 routes
 * @param grpc     request match for grpc routes
 * @param targets  weighted targets; weights are relative
 * @param retry    retry policy, null for App Mesh's default
 * @param timeout  route timeouts
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Route(String name, int priority, Protocol protocol, HttpMatch http, GrpcMatch grpc,
                    List<WeightedTarget> targets, RetryPolicy retry, Timeouts timeout) {
}
