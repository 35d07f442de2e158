package io.meshwork.controlapi.compiler;

import io.meshwork.proxyapi.GrpcMatch;
import io.meshwork.proxyapi.HttpMatch;

import java.util.Comparator;

/**
 * The order routes are tried in: by priority (0 first); routes without one come after those
 * with one, most specific first (exact path, then longer prefixes, then regexes), then by name.
 * App Mesh ordered unprioritised routes by match length, longest first.
 */
final class RouteOrder {
    static final int UNSET_PRIORITY = Integer.MAX_VALUE;

    private RouteOrder() {
    }

    static <T> Comparator<T> by(java.util.function.ToIntFunction<T> priority, java.util.function.Function<T, HttpMatch> http,
                                java.util.function.Function<T, GrpcMatch> grpc, java.util.function.Function<T, String> name) {
        return Comparator.comparingInt(priority)
                .thenComparing(Comparator.comparingInt((T t) -> specificity(http.apply(t), grpc.apply(t))).reversed())
                .thenComparing(name);
    }

    private static int specificity(HttpMatch http, GrpcMatch grpc) {
        if (http != null) {
            int hostname = http.hostnameExact() != null ? 2_000_000 : http.hostnameSuffix() != null
                    ? 1_000_000 + http.hostnameSuffix().length() : 0;
            if (http.pathExact() != null) {
                return hostname + 100_000;
            }
            if (http.prefix() != null) {
                return hostname + 10_000 + http.prefix().length();
            }
            return hostname;
        }
        if (grpc != null) {
            return (grpc.serviceName() != null ? 2 : 0) + (grpc.methodName() != null ? 1 : 0);
        }
        return 0;
    }
}
