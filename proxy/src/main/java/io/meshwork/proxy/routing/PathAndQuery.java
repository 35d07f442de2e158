package io.meshwork.proxy.routing;

import io.netty.handler.codec.http.HttpRequest;

/** Splits an origin-form request-target into path and query for matching. */
final class PathAndQuery {
    private PathAndQuery() {
    }

    static RequestView view(HttpRequest request, String target, String scheme) {
        int q = target.indexOf('?');
        String path = q < 0 ? target : target.substring(0, q);
        String query = q < 0 ? null : target.substring(q + 1);
        return new RequestView(request, path.isEmpty() ? "/" : path, query, scheme);
    }
}
