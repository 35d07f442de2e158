package io.meshwork.controlapi.api;

import io.meshwork.controlapi.auth.Authenticator;
import io.meshwork.controlapi.auth.keys.AccessKey;
import io.meshwork.proxyapi.AwsLogin;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.core.annotation.Order;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.RequestFilter;
import io.micronaut.http.annotation.ServerFilter;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;

import java.util.Set;

/**
 * Authenticates every request before anything else about it is judged: its route, method,
 * content type or body. Without a valid SigV4 signature the answer is a ForbiddenException,
 * whatever the path, so an unsigned caller learns nothing about the API and no handler can
 * forget the check. Only {@link #PUBLIC_PATHS} are exempt, and the dashboard ({@link #isDashboard}). Handlers then decide, per
 * endpoint, what the signing key may do ({@link AppMeshApi#authorize}).
 */
@ServerFilter(ServerFilter.MATCH_ALL_PATTERN)
@Order(RequestLogFilter.ORDER + 1)
final class AuthenticationFilter {
    /**
     * The health check, for load balancers that cannot sign (it reveals nothing about the mesh),
     * and AWS logins, which prove who calls with a signed GetCallerIdentity in their body instead
     * ({@link AwsLoginController}).
     */
    static final Set<String> PUBLIC_PATHS = Set.of("/health", AwsLogin.PATH);
    private static final String CALLER = "meshwork.caller";

    private final Authenticator authenticator;

    AuthenticationFilter(Authenticator authenticator) {
        this.authenticator = authenticator;
    }

    /** Blocking: an access key not seen for a while is read from the store. */
    @RequestFilter
    @ExecuteOn(TaskExecutors.BLOCKING)
    void authenticate(HttpRequest<?> request, @Nullable @Body byte[] body) {
        if (!PUBLIC_PATHS.contains(request.getPath()) && !isDashboard(request.getPath())) {
            request.setAttribute(CALLER, authenticator.authenticate(request, body));
        }
    }

    /**
     * The dashboard signs in with a session cookie instead ({@link DashboardController}), which
     * authenticates each of its requests itself; its pages and data say nothing without one.
     */
    static boolean isDashboard(String path) {
        return path.equals(DashboardController.ROOT) || path.startsWith(DashboardController.ROOT + "/");
    }

    /** The key that signed the request; only requests to {@link #PUBLIC_PATHS} have none. */
    static AccessKey caller(HttpRequest<?> request) {
        return request.getAttribute(CALLER, AccessKey.class)
                .orElseThrow(() -> new IllegalStateException(request.getPath() + " was not authenticated"));
    }

    /**
     * For the access log: the key id (a session's with the AWS principal it belongs to), or "-"
     * for a request refused before it was authenticated.
     */
    static String callerId(HttpRequest<?> request) {
        return request.getAttribute(CALLER, AccessKey.class)
                .map(k -> k.isSession() ? k.accessKeyId() + "(" + k.principal() + ")" : k.accessKeyId()).orElse("-");
    }
}
