package io.meshwork.proxy.routing.match;

import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.QueryStringDecoder;

import java.util.List;
import java.util.Map;

/**
 * What route matching looks at in one request: method, path, query, headers, scheme and the
 * authority it was addressed to. The query is decoded only if a route asks for it.
 */
public final class RequestView {
    private final HttpRequest request;
    private final String path;
    private final String rawQuery;
    private final String scheme;
    private Map<String, List<String>> query;

    /** The view of {@code request} whose origin-form request-target is {@code target}, split into path and query. */
    public static RequestView of(HttpRequest request, String target, String scheme) {
        int q = target.indexOf('?');
        String path = q < 0 ? target : target.substring(0, q);
        String query = q < 0 ? null : target.substring(q + 1);
        return new RequestView(request, path.isEmpty() ? "/" : path, query, scheme);
    }

    public RequestView(HttpRequest request, String path, String rawQuery, String scheme) {
        this.request = request;
        this.path = path;
        this.rawQuery = rawQuery;
        this.scheme = scheme;
    }

    public String method() {
        return request.method().name();
    }

    public String path() {
        return path;
    }

    public String scheme() {
        return scheme;
    }

    public String header(String lowerCaseName) {
        return request.headers().get(lowerCaseName);
    }

    List<String> queryValues(String name) {
        if (query == null) {
            query = rawQuery == null ? Map.of() : new QueryStringDecoder(rawQuery, false).parameters();
        }
        return query.get(name);
    }
}
