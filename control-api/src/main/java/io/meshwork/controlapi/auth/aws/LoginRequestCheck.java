package io.meshwork.controlapi.auth.aws;

import io.meshwork.controlapi.auth.sigv4.AuthorizationHeader;
import io.meshwork.controlapi.auth.sigv4.SignatureException;
import io.meshwork.proxyapi.AwsLogin;

import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Everything about a login that can be judged without STS, judged strictly before STS is asked:
 * STS verifies the signature, but only of whatever request it is sent, so what it is sent must
 * be exactly a GetCallerIdentity for this control API, fresh, to the configured endpoint.
 * <ul>
 *   <li>{@code POST} to the configured STS endpoint, nothing else (no caller-chosen URL, no query);</li>
 *   <li>the body {@code Action=GetCallerIdentity&Version=2011-06-15} and nothing more (no other
 *       STS action can be passed off as a login);</li>
 *   <li>an {@code AWS4-HMAC-SHA256} signature scoped to {@code sts} and the configured region,
 *       over at least {@code host}, {@code x-amz-date} and {@code x-meshwork-server-id}, and over
 *       no header outside a short list (so nothing unexpected reaches STS in a signed header);</li>
 *   <li>the signed Host is the endpoint's, the signed server id one of this control API's;</li>
 *   <li>{@code X-Amz-Date} at most the allowed skew (15 minutes) from now, either way.</li>
 * </ul>
 * Every refusal is a {@link SignatureException} whose message says which rule failed.
 */
final class LoginRequestCheck {
    static final String SERVER_ID = AwsLogin.SERVER_ID_HEADER.toLowerCase(Locale.ROOT);
    private static final Set<String> REQUIRED_SIGNED = Set.of("host", "x-amz-date", SERVER_ID);
    private static final Set<String> ALLOWED_SIGNED = Set.of("host", "x-amz-date", SERVER_ID, "content-type",
            "content-length", "x-amz-security-token", "x-amz-content-sha256");
    /** Set by the HTTP client from the URL and the body; checked, never copied. */
    private static final Set<String> NOT_FORWARDED = Set.of("host", "content-length");
    private static final DateTimeFormatter AMZ_DATE = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'", Locale.ROOT);

    /** A login that passed: what to send to STS, and facts about it. */
    record Forwarded(URI url, Map<String, String> headers, String body, Instant signedAt, String accessKeyId) {
        /** Identifies the request exactly (every byte STS would see), for the cache of verified identities. */
        String digest() {
            StringBuilder all = new StringBuilder(url.toString()).append('\n').append(body).append('\n');
            new TreeMap<>(headers).forEach((name, value) -> all.append(name).append(':').append(value).append('\n'));
            try {
                return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                        .digest(all.toString().getBytes(StandardCharsets.UTF_8)));
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    private final StsEndpoint sts;
    private final Set<String> serverIds;
    private final Duration maxAge;
    private final Clock clock;

    LoginRequestCheck(StsEndpoint sts, Set<String> serverIds, Duration maxAge, Clock clock) {
        this.sts = sts;
        this.serverIds = serverIds;
        this.maxAge = maxAge;
        this.clock = clock;
    }

    Forwarded check(AwsLogin login) {
        if (serverIds.isEmpty()) {
            throw new SignatureException("AWS logins are off on this control API: its operator has not set"
                    + " CONTROL_API_AWS_LOGIN_SERVER_ID (the host names clients reach it by)");
        }
        if (!"POST".equals(login.method())) {
            throw new SignatureException("A login must be a signed POST to STS, not " + login.method());
        }
        checkUrl(login.url());
        checkBody(login.body());
        Map<String, String> headers = singleValued(login.headers());
        AuthorizationHeader auth = AuthorizationHeader.parse(headers.get("authorization"));
        if (!"sts".equals(auth.service()) || !sts.region().equals(auth.region())) {
            throw new SignatureException("The login must be signed for service 'sts' in region '" + sts.region()
                    + "', not '" + auth.service() + "' in '" + auth.region() + "'");
        }
        for (String name : REQUIRED_SIGNED) {
            if (!auth.signedHeaders().contains(name)) {
                throw new SignatureException("The login's signature must cover the header '" + name + "'");
            }
        }
        Map<String, String> forwarded = new LinkedHashMap<>();
        forwarded.put("authorization", headers.get("authorization"));
        for (String name : auth.signedHeaders()) {
            if (!ALLOWED_SIGNED.contains(name)) {
                throw new SignatureException("The login's signature covers the header '" + name
                        + "', which a login does not use (allowed: " + new TreeSet<>(ALLOWED_SIGNED) + ")");
            }
            String value = headers.get(name);
            if (value == null && !name.equals("content-length")) {
                throw new SignatureException("The signed header '" + name + "' is missing from the login");
            }
            if (!NOT_FORWARDED.contains(name)) {
                forwarded.put(name, value);
            }
        }
        // STS reads the body as a form only when told so; an unsigned Content-Type changes no signature.
        forwarded.putIfAbsent("content-type", "application/x-www-form-urlencoded; charset=utf-8");
        if (!sts.hostHeader().equalsIgnoreCase(headers.get("host"))) {
            throw new SignatureException("The login was signed for host '" + headers.get("host") + "', not for this"
                    + " control API's STS endpoint '" + sts.hostHeader() + "'");
        }
        checkLength(headers.get("content-length"), login.body());
        String serverId = headers.get(SERVER_ID).trim().toLowerCase(Locale.ROOT);
        if (!serverIds.contains(serverId)) {
            throw new SignatureException("The login names the control API '" + serverId + "' in " + AwsLogin.SERVER_ID_HEADER
                    + ", not this one (" + String.join(", ", serverIds) + "): a login is good only for the server it names");
        }
        Instant signedAt = signedAt(headers.get("x-amz-date"), auth);
        return new Forwarded(sts.url(), forwarded, login.body(), signedAt, auth.accessKeyId());
    }

    private void checkUrl(String url) {
        URI given;
        try {
            given = url == null ? null : URI.create(url);
        } catch (IllegalArgumentException e) {
            given = null;
        }
        boolean plain = given != null && given.getScheme() != null && given.getHost() != null && given.getRawQuery() == null
                && given.getRawFragment() == null && given.getRawUserInfo() == null
                && (given.getRawPath() == null || given.getRawPath().isEmpty() || given.getRawPath().equals("/"));
        if (!plain || !sts.url().equals(URI.create(given.getScheme().toLowerCase(Locale.ROOT) + "://"
                + StsEndpoint.hostHeader(given) + "/"))) {
            throw new SignatureException("A login must be signed for this control API's STS endpoint " + sts.url()
                    + " (GET /meshwork/v1/aws-login names it), not " + url);
        }
    }

    private static void checkBody(String body) {
        Map<String, String> params = new TreeMap<>();
        if (body != null) {
            for (String pair : body.split("&", -1)) {
                int eq = pair.indexOf('=');
                if (eq <= 0 || params.put(decode(pair.substring(0, eq)), decode(pair.substring(eq + 1))) != null) {
                    params = null;
                    break;
                }
            }
        }
        if (params == null || !params.equals(Map.of("Action", "GetCallerIdentity", "Version", "2011-06-15"))) {
            throw new SignatureException("A login's body must be exactly " + AwsLogin.BODY
                    + ": no other STS action and no other parameter");
        }
    }

    private static String decode(String s) {
        try {
            return URLDecoder.decode(s, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return "\u0000";
        }
    }

    /** Headers by lower-case name; a header given twice (or with line breaks) makes no sense in a login. */
    /** What SigV4 and an HTTP client can carry; anything else could never have been signed by an SDK. */
    private static boolean visibleAscii(String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if ((c < 0x20 && c != '\t') || c > 0x7e) {
                return false;
            }
        }
        return true;
    }

    private static Map<String, String> singleValued(Map<String, List<String>> headers) {
        Map<String, String> out = new TreeMap<>();
        if (headers != null) {
            headers.forEach((name, values) -> {
                String key = name.toLowerCase(Locale.ROOT);
                if (values == null || values.size() != 1 || out.containsKey(key)) {
                    throw new SignatureException("The login's header '" + name + "' must have exactly one value");
                }
                String value = values.get(0);
                if (value == null || !visibleAscii(value)) {
                    throw new SignatureException("The login's header '" + name
                            + "' has no value, or a character other than visible ASCII, space or tab");
                }
                out.put(key, value);
            });
        }
        return out;
    }

    private static void checkLength(String contentLength, String body) {
        if (contentLength != null && !contentLength.trim().equals(
                Integer.toString(body.getBytes(StandardCharsets.UTF_8).length))) {
            throw new SignatureException("The login's signed Content-Length does not match its body");
        }
    }

    private Instant signedAt(String date, AuthorizationHeader auth) {
        Instant at;
        try {
            at = LocalDateTime.parse(date, AMZ_DATE).toInstant(ZoneOffset.UTC);
        } catch (DateTimeParseException e) {
            throw new SignatureException("The login's X-Amz-Date '" + date + "' is not in the form 20260101T120000Z");
        }
        if (!date.startsWith(auth.date())) {
            throw new SignatureException("The login's credential scope date " + auth.date() + " does not match its X-Amz-Date");
        }
        Instant now = clock.instant();
        if (Duration.between(at, now).abs().compareTo(maxAge) > 0) {
            throw new SignatureException("The login was signed at " + date + ", more than " + maxAge.toMinutes()
                    + " minutes from the server time " + AMZ_DATE.format(now.atOffset(ZoneOffset.UTC))
                    + ": sign a new one (a login is good for " + maxAge.toMinutes() + " minutes)");
        }
        return at;
    }
}
