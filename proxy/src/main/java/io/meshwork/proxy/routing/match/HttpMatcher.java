package io.meshwork.proxy.routing.match;

import io.meshwork.proxyapi.GrpcMatch;
import io.meshwork.proxyapi.HttpMatch;
import io.meshwork.proxyapi.QueryMatch;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * A compiled route match, HTTP or gRPC, as App Mesh defined it: prefix, exact path or regex;
 * method; scheme; headers (all must hold); query parameters; gRPC service and method from the
 * path {@code /package.Service/Method} and metadata from headers; the requested hostname.
 */
public final class HttpMatcher {
    private static final HttpMatcher ANY = new HttpMatcher(null, null);

    private final HttpMatch http;
    private final GrpcMatch grpc;
    private final Pattern pathRegex;
    private final List<HeaderMatcher> headers = new ArrayList<>();

    private HttpMatcher(HttpMatch http, GrpcMatch grpc) {
        this.http = http;
        this.grpc = grpc;
        this.pathRegex = http == null || http.pathRegex() == null ? null : Pattern.compile(http.pathRegex());
        if (http != null && http.headers() != null) {
            http.headers().forEach(h -> headers.add(new HeaderMatcher(h)));
        }
        if (grpc != null && grpc.metadata() != null) {
            grpc.metadata().forEach(h -> headers.add(new HeaderMatcher(h)));
        }
    }

    public static HttpMatcher of(HttpMatch http, GrpcMatch grpc) {
        return http == null && grpc == null ? ANY : new HttpMatcher(http, grpc);
    }

    /** {@code host} is the requested hostname (lower case, no port). */
    public boolean matches(RequestView request, String host) {
        if (http != null && !matchesHttp(request, host)) {
            return false;
        }
        if (grpc != null && !matchesGrpc(request, host)) {
            return false;
        }
        for (int i = 0; i < headers.size(); i++) { // indexed: no iterator on the request path
            HeaderMatcher h = headers.get(i);
            if (!h.matches(request.header(h.name()))) {
                return false;
            }
        }
        return true;
    }

    private boolean matchesHttp(RequestView request, String host) {
        String path = request.path();
        if (http.prefix() != null && !path.startsWith(http.prefix())) {
            return false;
        }
        if (http.pathExact() != null && !path.equals(http.pathExact())) {
            return false;
        }
        if (pathRegex != null && !pathRegex.matcher(path).matches()) {
            return false;
        }
        if (http.method() != null && !http.method().equals(request.method())) {
            return false;
        }
        if (http.scheme() != null && !http.scheme().equalsIgnoreCase(request.scheme())) {
            return false;
        }
        if (!hostnameMatches(http.hostnameExact(), http.hostnameSuffix(), host)) {
            return false;
        }
        if (http.queryParameters() != null) {
            for (QueryMatch q : http.queryParameters()) {
                List<String> values = request.queryValues(q.name());
                if (values == null || (q.exact() != null && !values.contains(q.exact()))) {
                    return false;
                }
            }
        }
        return true;
    }

    private boolean matchesGrpc(RequestView request, String host) {
        String path = request.path();
        int slash = path.lastIndexOf('/');
        String service = slash > 0 ? path.substring(1, slash) : "";
        String method = slash >= 0 ? path.substring(slash + 1) : "";
        if (grpc.serviceName() != null && !grpc.serviceName().equals(service)) {
            return false;
        }
        if (grpc.methodName() != null && !grpc.methodName().equals(method)) {
            return false;
        }
        return hostnameMatches(grpc.hostnameExact(), grpc.hostnameSuffix(), host);
    }

    private static boolean hostnameMatches(String exact, String suffix, String host) {
        if (exact != null && !exact.toLowerCase(Locale.ROOT).equals(host)) {
            return false;
        }
        return suffix == null || (host != null && host.endsWith(suffix.toLowerCase(Locale.ROOT)));
    }
}
