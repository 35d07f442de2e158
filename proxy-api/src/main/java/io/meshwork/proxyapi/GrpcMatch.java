package io.meshwork.proxyapi;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.util.List;

/** A gRPC route match: fully qualified service, method, metadata, port; null members match anything. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record GrpcMatch(String serviceName, String methodName, List<HeaderMatch> metadata, Integer port,
                        String hostnameExact, String hostnameSuffix) {
}
