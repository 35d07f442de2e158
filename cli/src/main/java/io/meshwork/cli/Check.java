package io.meshwork.cli;

import com.fasterxml.jackson.databind.JsonNode;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code meshwork check}, as {@code linkerd check}: each check passes or says what is wrong and
 * how to fix it. The control API must answer first; everything else is read from its status and
 * its proxy list.
 */
final class Check {
    /** One check's outcome; {@code fix} says what to do when it failed. */
    record Result(String check, boolean ok, String message, String fix) {
        static Result ok(String check, String message) {
            return new Result(check, true, message, null);
        }

        static Result fail(String check, String message, String fix) {
            return new Result(check, false, message, fix);
        }
    }

    private final ControlApi api;
    private final Meshwork.Invocation inv;

    Check(ControlApi api, Meshwork.Invocation inv) {
        this.api = api;
        this.inv = inv;
    }

    List<Result> run() {
        List<Result> results = new ArrayList<>();
        JsonNode status;
        try {
            status = api.get("meshwork/v1/status");
        } catch (CliException e) {
            results.add(Result.fail("control API", e.getMessage(), e.fix));
            return results;
        }
        results.add(Result.ok("control API", "reachable at " + api.endpoint() + ", credentials accepted, version "
                + status.path("version").asText()));
        JsonNode store = status.path("store");
        if (!store.path("healthy").asBoolean()) {
            results.add(Result.fail("store", store.path("message").asText("the store does not answer"),
                    "the control API serves nothing new until its store answers; see its log"));
            return results;
        }
        results.add(Result.ok("store", store.path("engine").asText() + " answers (" + store.path("latencyMillis").asText() + " ms)"));
        certificateAuthorities(status, results);
        cloudMap(status.path("cloudMap"), results);
        proxies(status.path("proxyRegistrationTtlSeconds").asDouble(15), results);
        return results;
    }

    private void certificateAuthorities(JsonNode status, List<Result> results) {
        Duration threshold = inv.duration("--expiry-threshold", Duration.ofDays(7));
        int good = 0;
        boolean failed = false;
        for (JsonNode ca : status.path("certificateAuthorities")) {
            if (!ca.has("expiresInSeconds")) {
                continue; // AWS Private CA: its certificates are AWS's to renew
            }
            double left = ca.path("expiresInSeconds").asDouble();
            String which = ca.path("root").asBoolean() ? "the root CA" : "mesh " + ca.path("meshName").asText() + "'s CA";
            which += " (generation " + ca.path("generation").asText() + ", " + ca.path("state").asText() + ")";
            if (left < threshold.toSeconds()) {
                failed = true;
                String rotate = ca.path("root").asBoolean() ? "{\"root\": true}" : "{\"meshName\": \"" + ca.path("meshName").asText() + "\"}";
                results.add(Result.fail("certificate authorities", which + (left <= 0 ? " has expired" : " expires in " + Format.span(left))
                        + " (threshold " + Format.span(threshold.toSeconds()) + ")",
                        "RETIRING".equals(ca.path("state").asText()) ? "retire it once every proxy has a certificate from the new one"
                                + " (POST /meshwork/v1/certificate-authorities/retire, docs/mtls.md)"
                                : "rotate it: POST /meshwork/v1/certificate-authorities/rotate " + rotate
                                + ", then retire the old generation (docs/mtls.md)"));
            } else {
                good++;
            }
        }
        if (!failed) {
            results.add(Result.ok("certificate authorities", good == 0 ? "none yet (made when a mesh first needs one)"
                    : good + " valid for more than " + Format.span(threshold.toSeconds())));
        }
    }

    private static void cloudMap(JsonNode cm, List<Result> results) {
        long nodes = cm.path("cloudMapNodes").asLong();
        if (nodes == 0 && !cm.path("enabledHere").asBoolean()) {
            results.add(Result.ok("Cloud Map sync", "not used (no virtual node discovers through Cloud Map)"));
            return;
        }
        if (!cm.has("lease")) {
            results.add(Result.fail("Cloud Map sync", nodes + " virtual node(s) discover through Cloud Map but no syncer holds the"
                    + " sync lease: their instances are not being updated",
                    "set CONTROL_API_CLOUDMAP_ENABLED=true on the control API or run bin/cloudmap-sync (docs/cloudmap.md)"));
            return;
        }
        JsonNode syncer = cm.path("syncer");
        List<String> failing = new ArrayList<>();
        syncer.path("failingServices").forEach(s -> failing.add(s.isTextual() ? s.asText() : s.toString()));
        if (!failing.isEmpty()) {
            results.add(Result.fail("Cloud Map sync", "cannot read " + String.join(", ", failing)
                    + " (the last instances known are kept)", "check the control API's AWS credentials and that the namespace"
                    + " and service exist (docs/cloudmap.md)"));
            return;
        }
        if (syncer.path("leader").asBoolean()) {
            double age = System.currentTimeMillis() / 1000.0 - syncer.path("lastPollAt").asDouble();
            double allowed = Math.max(30, 5 * syncer.path("pollIntervalMillis").asDouble(1000) / 1000);
            if (age > allowed) {
                results.add(Result.fail("Cloud Map sync", "the last poll was " + Format.span(age) + " ago",
                        "see the control API's log for Cloud Map errors (throttling, credentials)"));
                return;
            }
        }
        results.add(Result.ok("Cloud Map sync", "lease held by " + cm.at("/lease/holder").asText() + ", " + nodes + " node(s) synced"));
    }

    private void proxies(double ttlSeconds, List<Result> results) {
        Duration lagThreshold = inv.duration("--lag-threshold", Duration.ofSeconds(30));
        Duration certThreshold = inv.options().containsKey("--certificate-threshold")
                ? inv.duration("--certificate-threshold", null) : null;
        String mesh = inv.options().get("--mesh");
        JsonNode list = api.get("meshwork/v1/proxies" + (mesh == null ? "" : "?mesh=" + java.net.URLEncoder.encode(mesh,
                java.nio.charset.StandardCharsets.UTF_8))).path("proxies");
        int total = 0;
        int failures = 0;
        int certificates = 0;
        for (JsonNode p : list) {
            total++;
            String id = p.path("proxyId").asText();
            String who = "proxy " + id + " (" + p.path("meshName").asText() + "/" + p.path("resourceKind").asText() + "/"
                    + p.path("resourceName").asText() + ")";
            String diagnose = "meshwork diagnose " + id;
            if (p.hasNonNull("rejectedVersion")) {
                failures++;
                results.add(Result.fail("proxy configuration", who + " refuses configuration version "
                        + Format.shortVersion(p.path("rejectedVersion").asText()) + ": " + Commands.oneLine(p.path("rejectedReason").asText("")),
                        "correct the mesh resource the reason points at (it keeps serving its last good configuration meanwhile); "
                                + diagnose));
            } else if (!p.path("upToDate").asBoolean() && p.path("lagSeconds").asDouble() > lagThreshold.toSeconds()) {
                failures++;
                results.add(Result.fail("proxy configuration", who + (p.hasNonNull("runningVersion") ? " runs "
                        + Format.shortVersion(p.path("runningVersion").asText()) + ", not the current "
                        + Format.shortVersion(p.path("currentVersion").asText(null)) : " has applied no configuration")
                        + ", for " + Format.span(p.path("lagSeconds").asDouble()), "check the proxy's log (can it reach the control"
                        + " API? does its key allow appmesh:StreamAggregatedResources?); " + diagnose));
            }
            double silent = p.path("lastSeenSecondsAgo").asDouble();
            if (silent > ttlSeconds * 2 / 3) {
                failures++;
                results.add(Result.fail("proxy connection", who + " has not reported for " + Format.span(silent)
                        + " (it drops out after " + Format.span(ttlSeconds) + ")", "check that it is running and can reach the"
                        + " control API; its node loses it as an endpoint when it drops out"));
            }
            JsonNode cert = p.path("certificate");
            if (!cert.isMissingNode()) {
                certificates++;
                double left = cert.path("expiresInSeconds").asDouble();
                double lifetime = cert.path("notAfter").asDouble() - cert.path("issuedAt").asDouble(cert.path("notAfter").asDouble());
                double limit = certThreshold != null ? certThreshold.toSeconds() : lifetime / 3;
                if (left < limit) {
                    failures++;
                    results.add(Result.fail("proxy certificates", who + "'s certificate " + (left <= 0 ? "has expired"
                            : "expires in " + Format.span(left)) + (certThreshold != null ? " (threshold " + Format.span(limit) + ")"
                            : " and was not renewed at two thirds of its lifetime"),
                            "check the proxy's log for renewal errors (it renews from the control API at 2/3 of the lifetime;"
                                    + " CONTROL_API_CA_LEAF_LIFETIME sets that lifetime)"));
                }
            }
        }
        if (failures == 0) {
            results.add(Result.ok("proxies", total == 0 ? "none connected" + (mesh == null ? "" : " in mesh " + mesh)
                    : total + " connected, all up to date, none refusing configuration"
                    + (certificates == 0 ? "" : ", " + certificates + " certificate(s) not near expiry")));
        }
    }
}
