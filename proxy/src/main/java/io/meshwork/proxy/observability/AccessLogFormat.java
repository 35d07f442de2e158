package io.meshwork.proxy.observability;

import io.meshwork.proxy.observability.ExchangeRecord;
import io.meshwork.proxyapi.AccessLog;
import io.netty.handler.codec.http.HttpHeaders;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Access log lines in the formats App Mesh users configured: an Envoy format string, or JSON
 * whose values are Envoy command operators; with neither, Envoy's default line format. The
 * operators Meshwork knows: START_TIME, PROTOCOL, RESPONSE_CODE, RESPONSE_FLAGS,
 * BYTES_RECEIVED, BYTES_SENT, DURATION, UPSTREAM_HOST, UPSTREAM_CLUSTER, ROUTE_NAME,
 * DOWNSTREAM_REMOTE_ADDRESS, REQ(header[?alternative]) and RESP(header); others print "-".
 */
public final class AccessLogFormat {
    static final String DEFAULT = "[%START_TIME%] \"%REQ(:METHOD)% %REQ(X-ENVOY-ORIGINAL-PATH?:PATH)% %PROTOCOL%\" "
            + "%RESPONSE_CODE% %RESPONSE_FLAGS% %BYTES_RECEIVED% %BYTES_SENT% %DURATION% "
            + "%RESP(X-ENVOY-UPSTREAM-SERVICE-TIME)% \"%REQ(X-FORWARDED-FOR)%\" \"%REQ(USER-AGENT)%\" "
            + "\"%REQ(X-REQUEST-ID)%\" \"%REQ(:AUTHORITY)%\" \"%UPSTREAM_HOST%\"\n";
    private static final Pattern OPERATOR = Pattern.compile("%([A-Z_]+)(?:\\(([^)]*)\\))?(?::(\\d+))?%");
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

    private interface Part {
        void append(StringBuilder sb, ExchangeRecord r);
    }

    private final List<Part> text;
    private final Map<String, List<Part>> json;

    private AccessLogFormat(List<Part> text, Map<String, List<Part>> json) {
        this.text = text;
        this.json = json;
    }

    public static AccessLogFormat of(AccessLog spec) {
        if (spec != null && spec.json() != null) {
            Map<String, List<Part>> json = new LinkedHashMap<>();
            spec.json().forEach(f -> json.put(f.key(), parse(f.value())));
            return new AccessLogFormat(null, json);
        }
        String format = spec != null && spec.text() != null ? spec.text() : DEFAULT;
        return new AccessLogFormat(parse(format.endsWith("\n") ? format : format + "\n"), null);
    }

    public String format(ExchangeRecord r) {
        StringBuilder sb = new StringBuilder(256);
        if (text != null) {
            text.forEach(p -> p.append(sb, r));
            return sb.toString();
        }
        sb.append('{');
        boolean first = true;
        for (Map.Entry<String, List<Part>> e : json.entrySet()) {
            if (!first) {
                sb.append(',');
            }
            first = false;
            jsonString(sb, e.getKey());
            sb.append(':');
            StringBuilder value = new StringBuilder();
            e.getValue().forEach(p -> p.append(value, r));
            jsonString(sb, value.toString());
        }
        return sb.append("}\n").toString();
    }

    private static List<Part> parse(String format) {
        List<Part> parts = new ArrayList<>();
        Matcher m = OPERATOR.matcher(format);
        int at = 0;
        while (m.find()) {
            String literal = format.substring(at, m.start());
            if (!literal.isEmpty()) {
                parts.add((sb, r) -> sb.append(literal));
            }
            parts.add(operator(m.group(1), m.group(2), m.group(3) == null ? -1 : Integer.parseInt(m.group(3))));
            at = m.end();
        }
        String tail = format.substring(at);
        if (!tail.isEmpty()) {
            parts.add((sb, r) -> sb.append(tail));
        }
        return parts;
    }

    private static Part operator(String name, String argument, int maxLength) {
        java.util.function.Function<ExchangeRecord, Object> value = switch (name) {
            case "START_TIME" -> r -> TIME.format(Instant.ofEpochMilli(r.startMillis()));
            case "PROTOCOL" -> ExchangeRecord::protocol;
            case "RESPONSE_CODE" -> ExchangeRecord::status;
            case "RESPONSE_FLAGS" -> r -> r.flags().code();
            case "BYTES_RECEIVED" -> ExchangeRecord::bytesReceived;
            case "BYTES_SENT" -> ExchangeRecord::bytesSent;
            case "DURATION" -> r -> r.durationNanos() / 1_000_000;
            case "UPSTREAM_HOST" -> r -> address(r.upstreamHost());
            case "UPSTREAM_CLUSTER" -> ExchangeRecord::cluster;
            case "ROUTE_NAME" -> ExchangeRecord::route;
            case "DOWNSTREAM_REMOTE_ADDRESS" -> r -> address(r.downstreamAddress());
            case "REQ" -> r -> header(r, r.requestHeaders(), argument, true);
            case "RESP" -> r -> header(r, r.responseHeaders(), argument, false);
            default -> r -> null;
        };
        return (sb, r) -> {
            Object v = value.apply(r);
            String s = v == null || v.toString().isEmpty() ? "-" : v.toString();
            sb.append(maxLength >= 0 && s.length() > maxLength ? s.substring(0, maxLength) : s);
        };
    }

    private static Object header(ExchangeRecord r, HttpHeaders headers, String spec, boolean request) {
        if (spec == null) {
            return null;
        }
        for (String name : spec.split("\\?")) {
            String n = name.trim().toLowerCase(java.util.Locale.ROOT);
            Object v = switch (n) {
                case ":method" -> request ? r.method() : null;
                case ":path" -> request ? r.path() : null;
                case ":authority" -> request ? r.authority() : null;
                case ":status" -> request ? null : r.status();
                default -> headers == null ? null : headers.get(n);
            };
            if (v != null) {
                return v;
            }
        }
        return null;
    }

    private static String address(java.net.SocketAddress a) {
        if (a instanceof java.net.InetSocketAddress i) {
            return (i.getAddress() == null ? i.getHostString() : i.getAddress().getHostAddress()) + ":" + i.getPort();
        }
        return a == null ? null : a.toString();
    }

    private static void jsonString(StringBuilder sb, String s) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (c < 0x20) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        sb.append('"');
    }
}
