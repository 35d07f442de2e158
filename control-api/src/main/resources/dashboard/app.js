// Meshwork dashboard: reads /dashboard/api/* (GET only, the session cookie is HttpOnly and
// SameSite=Strict) every few seconds and draws the selected mesh. No libraries, no inline script
// (the Content-Security-Policy allows none).
"use strict";
(function () {
  const REFRESH_MS = 2000;
  const SVG = "http://www.w3.org/2000/svg";
  const $ = (id) => document.getElementById(id);
  let mesh = new URLSearchParams(location.search).get("mesh") || "";
  let statusAt = 0;

  async function get(path) {
    const r = await fetch(path, { credentials: "same-origin", cache: "no-store" });
    if (r.status === 401) { location.replace("/dashboard/signed-out"); throw new Error("signed out"); }
    const body = await r.json();
    if (!r.ok) throw new Error(body.message || ("HTTP " + r.status));
    return body;
  }

  function el(tag, attrs, text) {
    const e = tag === "svg" || ["g", "rect", "text", "path", "title"].includes(tag)
      ? document.createElementNS(SVG, tag) : document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) if (v !== undefined && v !== null) e.setAttribute(k, v);
    if (text !== undefined) e.textContent = text;
    return e;
  }

  const fmt = {
    rps: (v) => v === undefined || v === null ? "–" : (v >= 100 ? v.toFixed(0) : v.toFixed(2)),
    pct: (v) => v === undefined || v === null ? "–" : (v * 100).toFixed(v >= 0.9995 || v < 0.1 ? 1 : 2) + " %",
    ms: (v) => v === undefined || v === null ? "–" : (v >= 100 ? v.toFixed(0) : v.toFixed(1)) + " ms",
    bytes: (v) => v === undefined || v === null ? "–" : v >= 1e6 ? (v / 1e6).toFixed(1) + " MB/s" : v >= 1e3 ? (v / 1e3).toFixed(1) + " kB/s" : v.toFixed(0) + " B/s",
    ago: (s) => s < 60 ? s.toFixed(0) + " s ago" : s < 3600 ? (s / 60).toFixed(0) + " min ago" : (s / 3600).toFixed(1) + " h ago",
    until: (s) => s < 0 ? "expired" : s < 3600 ? (s / 60).toFixed(0) + " min" : s < 172800 ? (s / 3600).toFixed(1) + " h" : (s / 86400).toFixed(0) + " days",
  };
  const health = (success) => success === null || success === undefined ? "" : success >= 0.999 ? "ok" : success >= 0.95 ? "warn" : "bad";

  function card(title, value, cls, id) {
    const c = el("div", { class: "card", id: id });
    c.append(el("b", {}, title), el("span", { class: cls || "" }, value));
    return c;
  }

  function renderStatus(s) {
    const h = $("health");
    h.replaceChildren();
    h.append(card("Control API", "version " + s.version, "", "card-version"));
    h.append(card("Store", s.store.engine + (s.store.healthy ? " · healthy" : " · DOWN"), s.store.healthy ? "ok" : "bad", "card-store"));
    const cas = (s.certificateAuthorities || []).filter((c) => c.expiresInSeconds !== undefined);
    if (cas.length) {
      const soonest = cas.reduce((a, b) => a.expiresInSeconds < b.expiresInSeconds ? a : b);
      h.append(card("Certificate authorities", cas.length + " · next expiry in " + fmt.until(soonest.expiresInSeconds)
        + " (" + (soonest.root ? "root" : soonest.meshName) + ")", soonest.expiresInSeconds < 7 * 86400 ? "bad" : "ok", "card-ca"));
    }
    const cm = s.cloudMap || {};
    const cmText = cm.lease ? "synced by " + cm.lease.holder : cm.cloudMapNodes ? "no syncer holds the lease" : "not used";
    h.append(card("Cloud Map", cmText + (cm.syncer && cm.syncer.failingServices && cm.syncer.failingServices.length
      ? " · failing: " + cm.syncer.failingServices.join(", ") : ""), cm.cloudMapNodes && !cm.lease ? "bad" : "ok", "card-cloudmap"));
    const p = s.proxies || { total: 0, upToDate: 0, refusing: 0 };
    h.append(card("Proxies", p.total + " connected · " + p.upToDate + " up to date · " + p.refusing + " refusing",
      p.refusing ? "bad" : p.upToDate < p.total ? "warn" : "ok", "card-proxies"));
    const select = $("mesh");
    const names = (s.meshes || []).map((m) => m.meshName);
    if (!mesh && names.length) mesh = names[0];
    if (select.options.length !== names.length || names.some((n, i) => select.options[i].value !== n)) {
      select.replaceChildren(...names.map((n) => el("option", { value: n }, n)));
    }
    select.value = mesh;
  }

  // --- the graph: resources in columns by their longest path from a caller ---
  function layout(o) {
    const v = new Map();
    const add = (kind, name) => { const id = kind + "/" + name; if (!v.has(id)) v.set(id, { id, kind, name, out: new Set() }); return v.get(id); };
    const link = (a, b) => { if (a && b && a !== b) a.out.add(b.id); };
    o.virtualGateways.forEach((g) => add("virtualGateway", g.name));
    o.virtualNodes.forEach((n) => add("virtualNode", n.name));
    o.virtualServices.forEach((s) => add("virtualService", s.name));
    o.virtualRouters.forEach((r) => add("virtualRouter", r.name));
    o.gatewayRoutes.forEach((gr) => { if (gr.virtualService) link(add("virtualGateway", gr.virtualGateway), add("virtualService", gr.virtualService)); });
    o.virtualNodes.forEach((n) => n.backends.forEach((b) => link(v.get("virtualNode/" + n.name), add("virtualService", b))));
    o.virtualServices.forEach((s) => {
      const me = v.get("virtualService/" + s.name);
      if (s.provider && s.provider.virtualNode) link(me, add("virtualNode", s.provider.virtualNode));
      if (s.provider && s.provider.virtualRouter) link(me, add("virtualRouter", s.provider.virtualRouter));
    });
    o.virtualRouters.forEach((r) => r.routes.forEach((rt) => (rt.weightedTargets || [])
      .forEach((t) => link(v.get("virtualRouter/" + r.name), add("virtualNode", t.virtualNode)))));
    (o.traffic.edges || []).forEach((e) => {
      const from = add(e.from.kind, e.from.name);
      if (e.virtualService && !/^\d+$/.test(e.virtualService) && e.virtualService !== "passthrough") link(from, add("virtualService", e.virtualService));
    });
    // longest-path layers, bounded so that cycles (a calls b calls a) end
    const layer = new Map([...v.keys()].map((k) => [k, 0]));
    for (let i = 0; i < v.size; i++) {
      let changed = false;
      v.forEach((x) => x.out.forEach((t) => { if (layer.get(t) < layer.get(x.id) + 1 && layer.get(x.id) + 1 < v.size) { layer.set(t, layer.get(x.id) + 1); changed = true; } }));
      if (!changed) break;
    }
    // top to bottom: callers first, each layer a row, centred
    const rows = [];
    v.forEach((x) => { const l = layer.get(x.id); (rows[l] = rows[l] || []).push(x); });
    const W = 200, H = 44, GX = 110, GY = 78;
    const widest = Math.max(...rows.map((r) => r ? r.length : 0), 1);
    const width = widest * (W + GX) + 480; // room for labels on both sides
    rows.forEach((row, r) => {
      row.sort((a, b) => a.name.localeCompare(b.name));
      const left = (width - row.length * (W + GX) + GX) / 2;
      row.forEach((x, i) => { x.x = left + i * (W + GX); x.y = 20 + r * (H + GY); x.w = W; x.h = H; });
    });
    return { vertices: v, width, height: rows.length * (H + GY) + 20 };
  }

  function curve(a, b) {
    const x1 = a.x + a.w / 2, y1 = a.y + a.h, x2 = b.x + b.w / 2, y2 = b.y;
    const dy = Math.max(30, Math.abs(y2 - y1) / 2);
    // where a label goes: 70 % of the way down the curve, beside it on the side it bends to
    return { d: `M${x1},${y1} C${x1},${y1 + dy} ${x2},${y2 - dy} ${x2},${y2}`, mx: x1 + (x2 - x1) * 0.784, my: y1 + (y2 - y1) * 0.7,
      leans: Math.sign(x2 - x1) };
  }

  // traffic per drawn segment: caller -> service, service -> router or node, router -> node
  function segments(o) {
    const services = new Map(o.virtualServices.map((s) => [s.name, s]));
    const seg = new Map();
    const put = (from, to, e) => {
      const k = from + ">" + to;
      const s = seg.get(k) || { from, to, rps: 0, requests: 0, failed: 0, responses: 0, p99: null };
      s.rps += e.requestsPerSecond; s.requests += e.requests;
      if (e.successRate !== null) { s.responses += e.requests; s.failed += e.responses5xx; }
      if (e.p99Millis !== null) s.p99 = Math.max(s.p99 || 0, e.p99Millis);
      seg.set(k, s);
    };
    (o.traffic.edges || []).forEach((e) => {
      const svc = "virtualService/" + e.virtualService;
      put(e.from.kind + "/" + e.from.name, svc, e);
      const provider = services.get(e.virtualService) && services.get(e.virtualService).provider;
      const target = e.to ? "virtualNode/" + e.to.name : null;
      if (provider && provider.virtualRouter) {
        const router = "virtualRouter/" + provider.virtualRouter;
        put(svc, router, e);
        if (target) put(router, target, e);
      } else if (target) put(svc, target, e);
    });
    seg.forEach((s) => { s.success = s.responses > 0 ? (s.responses - s.failed) / s.responses : null; });
    return seg;
  }

  function renderGraph(o) {
    const g = layout(o);
    const svg = $("graph");
    svg.setAttribute("width", g.width); svg.setAttribute("height", g.height);
    svg.setAttribute("viewBox", `0 0 ${g.width} ${g.height}`);
    svg.replaceChildren();
    const traffic = segments(o);
    g.vertices.forEach((x) => x.out.forEach((t) => {
      const to = g.vertices.get(t);
      if (!traffic.has(x.id + ">" + t)) svg.append(el("path", { class: "link", d: curve(x, to).d }));
    }));
    traffic.forEach((s) => {
      const a = g.vertices.get(s.from), b = g.vertices.get(s.to);
      if (!a || !b) return;
      const c = curve(a, b);
      const p = el("path", { class: "traffic " + health(s.success), d: c.d, "data-edge": s.from + ">" + s.to });
      p.append(el("title", {}, `${s.from} → ${s.to}`));
      svg.append(p);
      svg.append(el("text", { class: "label", x: c.mx + (c.leans < 0 ? -8 : 8), y: c.my + 4, "text-anchor": c.leans < 0 ? "end" : "start",
        "data-edge": s.from + ">" + s.to },
        `${fmt.rps(s.rps)} rps · ${fmt.pct(s.success)} · p99 ${fmt.ms(s.p99)}`));
    });
    g.vertices.forEach((x) => {
      const v = el("g", { class: "vertex " + x.kind, "data-id": x.id });
      v.append(el("rect", { x: x.x, y: x.y, width: x.w, height: x.h }));
      v.append(el("text", { class: "kind", x: x.x + 8, y: x.y + 14 }, x.kind));
      v.append(el("text", { x: x.x + 8, y: x.y + 32 }, x.name.length > 26 ? x.name.slice(0, 25) + "…" : x.name));
      svg.append(v);
    });
  }

  function cells(tr, values) {
    values.forEach(([text, cls]) => tr.append(el("td", { class: cls || "" }, text)));
    return tr;
  }

  function renderTables(o) {
    const stats = $("stats").tBodies[0];
    stats.replaceChildren();
    (o.traffic.nodes || []).forEach((n) => ["inbound", "outbound", "fromCallers"].forEach((dir) => {
      const s = n[dir];
      if (!s) return;
      stats.append(cells(el("tr", { "data-node": n.kind + "/" + n.name, "data-direction": dir }), [
        [n.kind + "/" + n.name], [dir === "fromCallers" ? "as callers see it" : dir],
        [fmt.rps(s.requestsPerSecond), "num rps"], [fmt.pct(s.successRate), "num " + health(s.successRate)],
        [fmt.ms(s.p50Millis), "num"], [fmt.ms(s.p99Millis), "num"], [fmt.bytes(s.bytesPerSecond), "num"]]));
    }));
    const routes = $("routes").tBodies[0];
    routes.replaceChildren();
    (o.traffic.routes || []).forEach((r) => routes.append(cells(el("tr", { "data-route": r.virtualRouter + "/" + r.routeName }), [
      [r.virtualRouter + "/" + r.routeName], [fmt.rps(r.requestsPerSecond), "num rps"],
      [fmt.pct(r.successRate), "num " + health(r.successRate)], [fmt.ms(r.p50Millis), "num"], [fmt.ms(r.p99Millis), "num"]])));
    const proxies = $("proxies").tBodies[0];
    proxies.replaceChildren();
    (o.proxies || []).forEach((p) => proxies.append(cells(el("tr", { "data-proxy": p.proxyId }), [
      [p.proxyId], [p.resourceKind + "/" + p.resourceName],
      [p.rejectedVersion ? "refusing" : p.upToDate ? "up to date" : p.runningVersion ? "behind" : "none yet",
        p.rejectedVersion ? "bad" : p.upToDate ? "ok" : "warn"],
      [p.upToDate ? "–" : p.lagSeconds.toFixed(0) + " s", "num"],
      [p.rejectedVersion ? p.rejectedVersion.slice(0, 12) + ": " + (p.rejectedReason || "") : "–", p.rejectedVersion ? "bad" : ""],
      [fmt.ago(p.lastSeenSecondsAgo)],
      [p.certificate ? fmt.until(p.certificate.expiresInSeconds) : "–", p.certificate && p.certificate.expiresInSeconds < 3600 ? "bad" : ""]])));
  }

  async function refresh() {
    try {
      if (Date.now() - statusAt > 10000 || !mesh) {
        renderStatus(await get("/dashboard/api/status"));
        statusAt = Date.now();
      }
      if (mesh) {
        const o = await get("/dashboard/api/meshes/" + encodeURIComponent(mesh) + "/overview");
        renderGraph(o);
        renderTables(o);
        $("window").textContent = o.traffic.proxiesReporting + " proxies reporting, rates over the last "
          + o.traffic.windowSeconds + " s";
      }
      $("updated").textContent = "updated " + new Date().toLocaleTimeString();
      $("error").hidden = true;
    } catch (e) {
      $("error").textContent = "Could not refresh: " + e.message;
      $("error").hidden = false;
    }
  }

  document.addEventListener("DOMContentLoaded", () => {
    $("mesh").addEventListener("change", (e) => { mesh = e.target.value; history.replaceState(null, "", "?mesh=" + encodeURIComponent(mesh)); refresh(); });
    refresh();
    setInterval(refresh, REFRESH_MS);
  });
})();
