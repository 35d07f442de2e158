package io.meshwork.proxy.routing.match;

import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.util.concurrent.FastThreadLocal;

import java.util.List;
import java.util.Map;

/**
 * What route matching looks at in one request: method, path, query, headers, scheme and the
 * authority it was addressed to. The query is decoded only if a route asks for it.
 */
public final class RequestView {
    /**
     * The view each thread routes with. Routing is synchronous and uses no view past its
     * decision, so one per event loop serves every request instead of an object per request.
     * (It keeps the last routed request's head reachable until the next one: a few hundred bytes.)
     */
    private static final FastThreadLocal<RequestView> REUSED = new FastThreadLocal<>() {
        @Override
        protected RequestView initialValue() {
            return new RequestView();
        }
    };

    private HttpRequest request;
    private String path;
    private String rawQuery;
    private String scheme;
    private Map<String, List<String>> query;

    /** The view of {@code request} whose origin-form request-target is {@code target}, split into path and query. */
    public static RequestView of(HttpRequest request, String target, String scheme) {
        return new RequestView().view(request, target, scheme);
    }

    /**
     * As {@link #of}, but this thread's one view, valid until the thread's next call: for a
     * router that is done with it when it has decided.
     */
    public static RequestView reused(HttpRequest request, String target, String scheme) {
        return REUSED.get().view(request, target, scheme);
    }

    /** Empty until {@link #view} fills it. */
    private RequestView() {
    }

    public RequestView(HttpRequest request, String path, String rawQuery, String scheme) {
        this.request = request;
        this.path = path;
        this.rawQuery = rawQuery;
        this.scheme = scheme;
    }

    private RequestView view(HttpRequest request, String target, String scheme) {
        int q = target.indexOf('?');
        String path = q < 0 ? target : target.substring(0, q);
        this.request = request;
        this.path = path.isEmpty() ? "/" : path;
        this.rawQuery = q < 0 ? null : target.substring(q + 1);
        this.scheme = scheme;
        this.query = null;
        return this;
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
