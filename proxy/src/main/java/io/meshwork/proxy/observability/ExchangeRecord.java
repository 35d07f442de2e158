package io.meshwork.proxy.observability;

import io.netty.handler.codec.http.HttpHeaders;

import java.net.SocketAddress;

/** One finished request, as stats and access logs see it. */
public record ExchangeRecord(String direction, String method, String path, String protocol, String authority,
                             HttpHeaders requestHeaders, HttpHeaders responseHeaders, int status, ResponseFlag flags,
                             long bytesReceived, long bytesSent, long startMillis, long durationNanos,
                             String cluster, String route, SocketAddress upstreamHost, SocketAddress downstreamAddress) {
}
