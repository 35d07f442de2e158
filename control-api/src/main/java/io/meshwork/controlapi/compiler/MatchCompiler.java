package io.meshwork.controlapi.compiler;

import com.fasterxml.jackson.databind.JsonNode;
import io.meshwork.proxyapi.GrpcMatch;
import io.meshwork.proxyapi.HeaderMatch;
import io.meshwork.proxyapi.HttpMatch;
import io.meshwork.proxyapi.QueryMatch;

import java.util.ArrayList;
import java.util.List;

/** Route and gateway-route matches, from App Mesh's JSON to the snapshot's match records. */
final class MatchCompiler {
    private MatchCompiler() {
    }

    static HttpMatch http(JsonNode match) {
        JsonNode path = match.path("path");
        JsonNode hostname = match.path("hostname");
        return new HttpMatch(text(match, "prefix"), text(path, "exact"), text(path, "regex"), text(match, "method"),
                text(match, "scheme"), port(match), headers(match.path("headers")), query(match.path("queryParameters")),
                text(hostname, "exact"), text(hostname, "suffix"));
    }

    static GrpcMatch grpc(JsonNode match) {
        JsonNode hostname = match.path("hostname");
        return new GrpcMatch(text(match, "serviceName"), text(match, "methodName"), headers(match.path("metadata")),
                port(match), text(hostname, "exact"), text(hostname, "suffix"));
    }

    static Integer port(JsonNode match) {
        return match.has("port") ? match.get("port").asInt() : null;
    }

    private static List<HeaderMatch> headers(JsonNode list) {
        if (!list.isArray() || list.isEmpty()) {
            return null;
        }
        List<HeaderMatch> out = new ArrayList<>();
        for (JsonNode h : list) {
            JsonNode m = h.path("match");
            JsonNode range = m.path("range");
            out.add(new HeaderMatch(h.path("name").asText(), h.path("invert").asBoolean(false), text(m, "exact"),
                    text(m, "prefix"), text(m, "suffix"), text(m, "regex"),
                    range.has("start") ? range.get("start").asLong() : null,
                    range.has("end") ? range.get("end").asLong() : null));
        }
        return out;
    }

    private static List<QueryMatch> query(JsonNode list) {
        if (!list.isArray() || list.isEmpty()) {
            return null;
        }
        List<QueryMatch> out = new ArrayList<>();
        for (JsonNode q : list) {
            out.add(new QueryMatch(q.path("name").asText(), text(q.path("match"), "exact")));
        }
        return out;
    }

    private static String text(JsonNode node, String member) {
        JsonNode value = node.get(member);
        return value == null || value.isNull() ? null : value.asText();
    }
}
