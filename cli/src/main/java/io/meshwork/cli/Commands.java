package io.meshwork.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** The commands, each one call or two to the control API and a rendering of the answer. */
final class Commands {
    private final ControlApi api;
    private final Meshwork.Invocation inv;
    private final PrintStream out;
    private final PrintStream err;

    Commands(ControlApi api, Meshwork.Invocation inv, PrintStream out, PrintStream err) {
        this.api = api;
        this.inv = inv;
        this.out = out;
        this.err = err;
    }

    int check() {
        List<Check.Result> results = new Check(api, inv).run();
        boolean healthy = results.stream().allMatch(Check.Result::ok);
        if (inv.json()) {
            ObjectNode o = ControlApi.JSON.createObjectNode().put("endpoint", api.endpoint().toString()).put("healthy", healthy);
            ArrayNode list = o.putArray("checks");
            results.forEach(r -> {
                ObjectNode c = list.addObject().put("check", r.check()).put("ok", r.ok()).put("message", r.message());
                if (r.fix() != null) {
                    c.put("fix", r.fix());
                }
            });
            out.println(o.toPrettyString());
        } else {
            out.println("meshwork check: " + api.endpoint());
            for (Check.Result r : results) {
                out.println((r.ok() ? "  ok    " : "  FAIL  ") + r.check() + ": " + r.message());
                if (!r.ok() && r.fix() != null) {
                    out.println("        fix: " + r.fix());
                }
            }
            long failed = results.stream().filter(r -> !r.ok()).count();
            out.println(healthy ? "healthy: all " + results.size() + " checks passed"
                    : "NOT healthy: " + failed + " of " + results.size() + " checks failed");
        }
        return healthy ? Meshwork.OK : Meshwork.FAILED;
    }

    int proxies() {
        JsonNode list = api.get("meshwork/v1/proxies" + meshQuery("?")).path("proxies");
        if (inv.json()) {
            out.println(ControlApi.JSON.createObjectNode().set("proxies", list).toPrettyString());
            return Meshwork.OK;
        }
        Table t = new Table("PROXY", "MESH", "SERVES", "RUNNING", "CURRENT", "STATUS", "LAG", "LAST SEEN", "CERT EXPIRES", "LAST REFUSAL")
                .alignRight(6, 7, 8);
        for (JsonNode p : list) {
            String status = p.hasNonNull("rejectedVersion") ? "REFUSING" : p.path("upToDate").asBoolean() ? "up to date"
                    : p.hasNonNull("runningVersion") ? "behind" : "no config yet";
            JsonNode cert = p.path("certificate");
            t.row(p.path("proxyId").asText(), p.path("meshName").asText(), p.path("resourceKind").asText() + "/" + p.path("resourceName").asText(),
                    Format.shortVersion(p.path("runningVersion").asText(null)), Format.shortVersion(p.path("currentVersion").asText(null)), status,
                    p.path("upToDate").asBoolean() ? "-" : Format.span(p.path("lagSeconds").asDouble()),
                    Format.span(p.path("lastSeenSecondsAgo").asDouble()) + " ago",
                    cert.isMissingNode() ? "-" : Format.span(cert.path("expiresInSeconds").asDouble()),
                    p.hasNonNull("rejectedVersion") ? Format.shortVersion(p.path("rejectedVersion").asText()) + ": "
                            + oneLine(p.path("rejectedReason").asText("")) : "-");
        }
        if (t.isEmpty()) {
            out.println("no proxies connected" + (inv.options().containsKey("--mesh") ? " in mesh " + inv.options().get("--mesh") : ""));
        } else {
            t.print(out);
        }
        return Meshwork.OK;
    }

    int stat() {
        String mesh = inv.options().get("--mesh");
        if (mesh == null) {
            JsonNode meshes = api.get("meshwork/v1/status").path("meshes");
            if (meshes.size() != 1) {
                List<String> names = new ArrayList<>();
                meshes.forEach(m -> names.add(m.path("meshName").asText()));
                throw CliException.usage("name the mesh with --mesh (meshes: " + (names.isEmpty() ? "none" : String.join(", ", names)) + ")");
            }
            mesh = meshes.get(0).path("meshName").asText();
        }
        boolean watch = inv.flags().contains("--watch");
        Duration interval = inv.duration("--interval", Duration.ofSeconds(2));
        int count = Integer.parseInt(inv.option("--count", watch ? "0" : "1"));
        for (int i = 0; count == 0 || i < count; i++) {
            if (i > 0) {
                sleep(interval);
            }
            JsonNode overview = api.get("meshwork/v1/meshes/" + mesh + "/overview");
            if (inv.json()) {
                ObjectNode o = ControlApi.JSON.createObjectNode().put("meshName", mesh);
                o.set("windowSeconds", overview.at("/traffic/windowSeconds"));
                o.set("nodes", overview.at("/traffic/nodes"));
                o.set("routes", overview.at("/traffic/routes"));
                o.set("edges", overview.at("/traffic/edges"));
                out.println(watch ? o.toString() : o.toPrettyString());
            } else {
                if (watch && System.console() != null) {
                    out.print("\033[H\033[2J");
                }
                printStat(mesh, overview);
            }
            out.flush();
        }
        return Meshwork.OK;
    }

    private void printStat(String mesh, JsonNode o) {
        JsonNode traffic = o.path("traffic");
        out.println("mesh " + mesh + ": " + traffic.path("proxiesReporting").asInt() + " proxies reporting, rates over the last "
                + traffic.path("windowSeconds").asText() + " s");
        Table nodes = new Table("NODE", "SEEN FROM", "RPS", "SUCCESS", "P50", "P99", "REQUESTS").alignRight(2, 3, 4, 5, 6);
        for (JsonNode n : traffic.path("nodes")) {
            for (String dir : List.of("inbound", "outbound", "fromCallers")) {
                JsonNode s = n.path(dir);
                if (!s.isMissingNode()) {
                    nodes.row(n.path("kind").asText() + "/" + n.path("name").asText(),
                            switch (dir) {
                                case "inbound" -> "its proxies, in";
                                case "outbound" -> "its proxies, out";
                                default -> "its callers";
                            }, Format.rps(s.get("requestsPerSecond")), Format.percent(s.get("successRate")),
                            Format.millis(s.get("p50Millis")), Format.millis(s.get("p99Millis")), s.path("requests").asText());
                }
            }
        }
        if (nodes.isEmpty()) {
            out.println("no traffic reported (proxies send traffic reports with their heartbeats)");
        } else {
            nodes.print(out);
        }
        Table routes = new Table("ROUTE", "RPS", "SUCCESS", "P50", "P99", "REQUESTS").alignRight(1, 2, 3, 4, 5);
        for (JsonNode r : traffic.path("routes")) {
            routes.row(r.path("virtualRouter").asText() + "/" + r.path("routeName").asText(), Format.rps(r.get("requestsPerSecond")),
                    Format.percent(r.get("successRate")), Format.millis(r.get("p50Millis")), Format.millis(r.get("p99Millis")),
                    r.path("requests").asText());
        }
        if (!routes.isEmpty()) {
            out.println();
            routes.print(out);
        }
    }

    int diagnose() {
        if (inv.arguments().size() != 1) {
            throw CliException.usage("diagnose takes one proxy id (meshwork proxies lists them)");
        }
        String id = inv.arguments().get(0);
        JsonNode d = api.get("meshwork/v1/proxies/" + java.net.URLEncoder.encode(id, StandardCharsets.UTF_8));
        JsonNode admin = null;
        String adminUrl = inv.options().get("--admin-url");
        if (adminUrl != null) {
            admin = readAdmin(adminUrl, d.at("/proxy/runningVersion").asText(null));
        }
        if (inv.json()) {
            ObjectNode o = ((ObjectNode) d).deepCopy();
            if (admin != null) {
                o.set("admin", admin);
            }
            out.println(o.toPrettyString());
            return Meshwork.OK;
        }
        JsonNode p = d.path("proxy");
        out.println("proxy " + id + " serves " + p.path("resourceArn").asText() + (p.hasNonNull("address") ? " at " + p.path("address").asText() : ""));
        out.println("  configuration: running " + Format.shortVersion(p.path("runningVersion").asText(null)) + ", current "
                + Format.shortVersion(p.path("currentVersion").asText(null)) + (p.path("upToDate").asBoolean() ? " (up to date)"
                : " (behind for " + Format.span(p.path("lagSeconds").asDouble()) + ")"));
        if (p.hasNonNull("rejectedVersion")) {
            out.println("  REFUSED version " + p.path("rejectedVersion").asText() + ": " + p.path("rejectedReason").asText());
        }
        out.println("  last seen " + Format.span(p.path("lastSeenSecondsAgo").asDouble()) + " ago, connected since "
                + java.time.Instant.ofEpochMilli((long) (p.path("connectedAt").asDouble() * 1000)));
        JsonNode c = d.path("certificate");
        if (c.isMissingNode()) {
            out.println("  certificate: none issued (its mesh uses no TLS, or it has not asked yet)");
        } else {
            out.println("  certificate: " + c.path("spiffeId").asText() + ", serial " + c.path("serial").asText() + ", expires "
                    + java.time.Instant.ofEpochMilli((long) (c.path("notAfter").asDouble() * 1000)) + " (in "
                    + Format.span(p.at("/certificate/expiresInSeconds").asDouble()) + ")");
        }
        JsonNode s = d.path("snapshot");
        if (s.isMissingNode()) {
            out.println("  no configuration is compiled for it (its node or gateway may have been deleted)");
        } else {
            for (JsonNode problem : s.path("problems")) {
                out.println("  PROBLEM in its configuration: " + problem.asText());
            }
            out.println("  listeners:");
            for (JsonNode l : s.path("listeners")) {
                out.println("    " + l.path("port").asText() + "/" + l.path("protocol").asText().toLowerCase(java.util.Locale.ROOT)
                        + (l.has("tls") ? " tls " + l.at("/tls/mode").asText("") : ""));
            }
            out.println("  virtual services it may call (egress filter " + s.path("egressFilter").asText("-") + "):");
            for (JsonNode v : s.path("services")) {
                List<String> routes = new ArrayList<>();
                for (JsonNode port : v.path("ports")) {
                    for (JsonNode r : port.path("routes")) {
                        routes.add(r.path("name").asText());
                    }
                }
                out.println("    " + v.path("name").asText() + (routes.isEmpty() ? "" : "  routes: " + String.join(", ", routes)));
            }
            out.println("  clusters and endpoints:");
            for (JsonNode cl : s.path("clusters")) {
                List<String> eps = new ArrayList<>();
                for (JsonNode e : cl.path("endpoints")) {
                    eps.add(e.path("address").asText() + (e.hasNonNull("port") ? ":" + e.path("port").asText() : "")
                            + (e.hasNonNull("source") ? " (" + e.path("source").asText() + ")" : ""));
                }
                out.println("    " + cl.path("name").asText() + ": " + (eps.isEmpty() ? "NO ENDPOINTS" : String.join(", ", eps)));
            }
        }
        if (admin != null) {
            out.println("  admin port " + adminUrl + ": " + admin.path("summary").asText());
        }
        return Meshwork.OK;
    }

    /** What the proxy itself says on its admin port: its state, the version it runs, its clusters. */
    private JsonNode readAdmin(String adminUrl, String expectedVersion) {
        ObjectNode o = ControlApi.JSON.createObjectNode().put("url", adminUrl);
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();
        try {
            String base = adminUrl.endsWith("/") ? adminUrl.substring(0, adminUrl.length() - 1) : adminUrl;
            JsonNode info = ControlApi.JSON.readTree(fetch(http, base + "/server_info"));
            o.set("serverInfo", info);
            JsonNode dump = ControlApi.JSON.readTree(fetch(http, base + "/config_dump"));
            String version = dump.path("version").asText(dump.at("/snapshot/version").asText(null));
            o.put("runningVersion", version);
            o.put("clusters", fetch(http, base + "/clusters"));
            o.put("summary", "state " + info.path("state").asText("?") + ", runs " + Format.shortVersion(version)
                    + (expectedVersion != null && version != null && !version.equals(expectedVersion)
                    ? " (the control API was told " + Format.shortVersion(expectedVersion) + ")" : ""));
        } catch (IOException | RuntimeException e) {
            o.put("summary", "not reachable (" + e.getMessage() + ")");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return o;
    }

    private static String fetch(HttpClient http, String url) throws IOException, InterruptedException {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IOException(url + " answered " + r.statusCode());
        }
        return r.body();
    }

    int dashboard() {
        JsonNode session = api.post("meshwork/v1/dashboard-sessions", "{}");
        String url = api.endpoint().resolve(session.path("signInPath").asText().substring(1)).toString();
        if (inv.json()) {
            out.println(ControlApi.JSON.createObjectNode().put("url", url).put("expiresInSeconds", session.path("expiresInSeconds").asDouble())
                    .toPrettyString());
            return Meshwork.OK;
        }
        if (inv.flags().contains("--url")) {
            out.println(url);
            return Meshwork.OK;
        }
        for (String opener : List.of("xdg-open", "open")) {
            try {
                Process p = new ProcessBuilder(opener, url).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
                if (p.waitFor() == 0) {
                    err.println("opened the dashboard in your browser (the sign-in link works once, within "
                            + session.path("expiresInSeconds").asInt() + " s)");
                    return Meshwork.OK;
                }
            } catch (IOException notThere) {
                // try the next
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        out.println("open this in your browser within " + session.path("expiresInSeconds").asInt() + " s (it works once):");
        out.println(url);
        return Meshwork.OK;
    }

    private String meshQuery(String lead) {
        String mesh = inv.options().get("--mesh");
        return mesh == null ? "" : lead + "mesh=" + java.net.URLEncoder.encode(mesh, StandardCharsets.UTF_8);
    }

    static String oneLine(String s) {
        String flat = s.replaceAll("\\s+", " ").trim();
        return flat.length() > 120 ? flat.substring(0, 117) + "..." : flat;
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CliException("interrupted", null, Meshwork.FAILED);
        }
    }
}
