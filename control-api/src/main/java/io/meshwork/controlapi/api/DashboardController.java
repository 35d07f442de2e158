package io.meshwork.controlapi.api;

import io.meshwork.controlapi.auth.DashboardSessions;
import io.meshwork.controlapi.auth.keys.AccessKey;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MediaType;
import io.micronaut.http.MutableHttpResponse;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.Post;
import io.micronaut.http.annotation.QueryValue;
import io.micronaut.http.cookie.Cookie;
import io.micronaut.http.cookie.SameSite;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * The web dashboard, {@code /dashboard}: static pages from the jar (no CDN, works offline) and
 * their data, read-only. Signed requests are not possible from a browser, so the dashboard signs
 * in with a one-time token that {@code bin/meshwork dashboard} obtained with the operator's
 * signed credentials ({@code POST /meshwork/v1/dashboard-sessions}); the token becomes an
 * HttpOnly, SameSite=Strict session cookie, and every data call is authorized as the key that
 * signed for it. Without a session, pages redirect to a page saying how to sign in and data
 * calls answer 401. Every answer carries a strict Content-Security-Policy and is not cached.
 */
@Controller(DashboardController.ROOT)
@ExecuteOn(TaskExecutors.BLOCKING)
final class DashboardController {
    static final String ROOT = "/dashboard";
    static final String SIGN_IN_PATH = ROOT + "/sign-in";
    static final String SIGNED_OUT_PATH = ROOT + "/signed-out";
    static final String COOKIE = "meshwork_dashboard";
    private static final String CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self';"
            + " connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";
    private static final Map<String, MediaType> ASSETS = Map.of(
            "app.js", MediaType.of("text/javascript; charset=utf-8"),
            "app.css", MediaType.of("text/css; charset=utf-8"));

    private final DashboardSessions sessions;
    private final ObservabilityViews views;
    private final byte[] index = resource("index.html");
    private final byte[] signedOut = resource("signed-out.html");

    DashboardController(DashboardSessions sessions, ObservabilityViews views) {
        this.sessions = sessions;
        this.views = views;
    }

    /** {@code /dashboard} and {@code /dashboard/}. */
    @Get
    HttpResponse<?> page(HttpRequest<?> request) {
        if (caller(request).isEmpty()) {
            return secured(HttpResponse.seeOther(URI.create(SIGNED_OUT_PATH)));
        }
        return secured(HttpResponse.ok(index).contentType(MediaType.TEXT_HTML_TYPE));
    }

    /** The one-time token from {@code meshwork dashboard} becomes a session cookie; the token leaves the address bar. */
    @Get("/sign-in")
    HttpResponse<?> signIn(HttpRequest<?> request, @Nullable @QueryValue String token) {
        Optional<String> session = sessions.exchange(token);
        if (session.isEmpty()) {
            return secured(HttpResponse.status(HttpStatus.UNAUTHORIZED).body(signedOut).contentType(MediaType.TEXT_HTML_TYPE));
        }
        return secured(HttpResponse.seeOther(URI.create(ROOT + "/"))
                .cookie(cookie(request, session.get(), sessions.sessionDuration())));
    }

    @Get("/signed-out")
    HttpResponse<?> signedOut() {
        return secured(HttpResponse.ok(signedOut).contentType(MediaType.TEXT_HTML_TYPE));
    }

    /** Ends the session. A form post from the dashboard itself only (the cookie is SameSite=Strict, and the origin is checked). */
    @Post(value = "/sign-out", consumes = MediaType.ALL)
    HttpResponse<?> signOut(HttpRequest<?> request) {
        String origin = request.getHeaders().get("Origin");
        String host = request.getHeaders().get("Host");
        if (origin != null && host != null && !URI.create(origin).getAuthority().equals(host)) {
            return secured(HttpResponse.status(HttpStatus.FORBIDDEN));
        }
        request.getCookies().findCookie(COOKIE).ifPresent(c -> sessions.end(c.getValue()));
        return secured(HttpResponse.seeOther(URI.create(SIGNED_OUT_PATH)).cookie(cookie(request, "", Duration.ZERO)));
    }

    @Get("/assets/{name}")
    HttpResponse<?> asset(HttpRequest<?> request, String name) {
        MediaType type = ASSETS.get(name);
        if (type == null) {
            return secured(HttpResponse.notFound());
        }
        if (name.endsWith(".js") && caller(request).isEmpty()) {
            return secured(HttpResponse.status(HttpStatus.UNAUTHORIZED));
        }
        return secured(HttpResponse.ok(resource(name)).contentType(type));
    }

    @Get("/api/status")
    HttpResponse<?> status(HttpRequest<?> request) {
        return data(request, caller -> views.status(caller));
    }

    @Get("/api/meshes/{mesh}/overview")
    HttpResponse<?> overview(HttpRequest<?> request, String mesh) {
        return data(request, caller -> views.overview(caller, mesh));
    }

    private HttpResponse<?> data(HttpRequest<?> request, java.util.function.Function<AccessKey, com.fasterxml.jackson.databind.JsonNode> view) {
        Optional<AccessKey> caller = caller(request);
        if (caller.isEmpty()) {
            return secured(HttpResponse.status(HttpStatus.UNAUTHORIZED).contentType(MediaType.APPLICATION_JSON_TYPE)
                    .body("{\"message\":\"not signed in: run bin/meshwork dashboard\"}".getBytes(StandardCharsets.UTF_8)));
        }
        return secured(AppMeshApi.ok(view.apply(caller.get())).toMutableResponse());
    }

    private Optional<AccessKey> caller(HttpRequest<?> request) {
        return request.getCookies().findCookie(COOKIE).flatMap(c -> sessions.caller(c.getValue()));
    }

    private static Cookie cookie(HttpRequest<?> request, String value, Duration maxAge) {
        boolean https = "https".equalsIgnoreCase(request.getUri().getScheme())
                || "https".equalsIgnoreCase(request.getHeaders().get("X-Forwarded-Proto"));
        return Cookie.of(COOKIE, value).path(ROOT).httpOnly(true).sameSite(SameSite.Strict).secure(https).maxAge(maxAge);
    }

    private static <T> MutableHttpResponse<T> secured(MutableHttpResponse<T> response) {
        return response.header("Content-Security-Policy", CSP)
                .header("X-Content-Type-Options", "nosniff")
                .header("X-Frame-Options", "DENY")
                .header("Referrer-Policy", "no-referrer")
                .header("Cache-Control", "no-store");
    }

    private static byte[] resource(String name) {
        try (InputStream in = DashboardController.class.getResourceAsStream("/dashboard/" + name)) {
            if (in == null) {
                throw new IllegalStateException("dashboard/" + name + " is missing from the control API's resources");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
