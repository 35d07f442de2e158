#!/usr/bin/env bash
# What tracing costs the proxy: its CPU per request (utime+stime of the whole process, from
# /proc/<pid>/stat, exporter threads and GC included) on the single-hop egress path, measured
# after a warm-up, with tracing off and with OTLP export at 0 %, 1 % and 100 % sampling to a
# local receiver, side by side in one run. One proxy process per setting, same mesh, same load.
#   wrk -> proxy (egress, Host: direct.trace-bench.local) -> nginx app
# Usage: bench/tracing.sh [--seconds 20] [--connections 16] [--out FILE]   Needs: nginx wrk python3 curl
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
seconds=20; connections=16; out=""
while [ $# -gt 0 ]; do
  case "$1" in --seconds) seconds=$2; shift 2 ;; --connections) connections=$2; shift 2 ;; --out) out=$2; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;; esac
done
for tool in nginx wrk python3 java mvn curl; do
  command -v "$tool" >/dev/null || { echo "bench: $tool is needed (apt-get install nginx wrk)" >&2; exit 1; }
done
work=$(mktemp -d /tmp/meshwork-tracing-bench-XXXX)
pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT INT TERM

(cd "$root" && mvn -q -B -pl control-api,proxy -am package -DskipTests)

# The app: the proxy benchmark's nginx, on addresses of its own.
sed -e "s#__WORK__#$work#g; s#127.0.1.31:9000#127.0.1.61:9000#; s#127.0.1.32:9000#127.0.1.62:9000#; s#127.0.1.31:9002#127.0.1.61:9002#" \
  "$root/bench/proxy/nginx-app.conf" > "$work/nginx-app.conf"
nginx -c "$work/nginx-app.conf" -p "$work" & pids+=($!)

# The trace receiver: OTLP/HTTP on 127.0.0.1:14318, answering 200 and counting what it gets.
cat > "$work/receiver.py" <<'PY'
import http.server, sys, threading
count = {"requests": 0, "bytes": 0}
lock = threading.Lock()
class H(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def do_POST(self):
        n = int(self.headers.get("Content-Length", "0")); self.rfile.read(n)
        with lock:
            count["requests"] += 1; count["bytes"] += n
        self.send_response(200); self.send_header("Content-Type", "application/x-protobuf"); self.send_header("Content-Length", "0"); self.end_headers()
    def do_GET(self):
        body = ("%d %d\n" % (count["requests"], count["bytes"])).encode()
        self.send_response(200); self.send_header("Content-Length", str(len(body))); self.end_headers(); self.wfile.write(body)
    def log_message(self, *a): pass
http.server.ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), H).serve_forever()
PY
python3 "$work/receiver.py" 14318 & pids+=($!)

# The control API and the mesh: a client node calling one virtual service whose node is the app itself.
export AWS_ACCESS_KEY_ID=MWKBENCHTRACEROOT001 AWS_SECRET_ACCESS_KEY=bench-trace-secret-0123456789abcdefghij
api=http://127.0.0.1:18199
CONTROL_API_PORT=18199 CONTROL_API_DATA_DIR="$work/data" CONTROL_API_ROOT_ACCESS_KEY_ID=$AWS_ACCESS_KEY_ID \
  CONTROL_API_ROOT_SECRET_ACCESS_KEY=$AWS_SECRET_ACCESS_KEY CONTROL_API_ACCESS_LOG_LEVEL=WARN \
  java -jar "$root/control-api/target/control-api-0.1.0-SNAPSHOT.jar" > "$work/control-api.log" 2>&1 & pids+=($!)
for _ in $(seq 1 150); do curl -sf "$api/health" >/dev/null && break; sleep 0.2; done
for _ in $(seq 1 50); do curl -sf http://127.0.0.1:14318/ >/dev/null && break; sleep 0.1; done
appmesh() { curl -sf --aws-sigv4 "aws:amz:us-east-1:appmesh" --user "$AWS_ACCESS_KEY_ID:$AWS_SECRET_ACCESS_KEY" \
  -H 'Content-Type: application/json' -X "$1" "$api/v20190125$2" ${3:+-d "$3"} >/dev/null; }
appmesh PUT /meshes '{"meshName":"tracebench"}'
appmesh PUT /meshes/tracebench/virtualNodes '{"virtualNodeName":"app","spec":{"listeners":[{"portMapping":{"port":9000,"protocol":"http"}}],"serviceDiscovery":{"dns":{"hostname":"127.0.1.61"}}}}'
appmesh PUT /meshes/tracebench/virtualServices '{"virtualServiceName":"direct.trace-bench.local","spec":{"provider":{"virtualNode":{"virtualNodeName":"app"}}}}'
appmesh PUT /meshes/tracebench/virtualNodes '{"virtualNodeName":"client","spec":{"backends":[{"virtualService":{"virtualServiceName":"direct.trace-bench.local"}}]}}'

hz=$(getconf CLK_TCK)
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }   # utime + stime, all threads
declare -A rps cpu_us exports kib
measure() { # KEY ENV...
  local key=$1; shift
  env "$@" APPMESH_RESOURCE_ARN=mesh/tracebench/virtualNode/client PROXY_MODE=local PROXY_LOCAL_ADDRESS=127.0.0.61 \
    PROXY_APP_ADDRESS=127.0.1.60 PROXY_CONTROL_API_URL="$api" PROXY_DATA_DIR="$work/proxy-data-$key" \
    "$root/bin/proxy" > "$work/proxy-$key.log" 2>&1 &
  local pid=$!; pids+=($pid)
  for _ in $(seq 1 600); do curl -sf http://127.0.0.61:9901/ready >/dev/null && break; sleep 0.05; done
  # exec in bin/proxy: the launcher's pid is the JVM's.
  wrk -t2 -c"$connections" -d10s -H "Host: direct.trace-bench.local" http://127.0.0.61:15001/ >/dev/null 2>&1 || true   # warm-up: JIT, pools
  sleep 1
  local before_exports; before_exports=$(curl -sf http://127.0.0.1:14318/)
  local t0; t0=$(cpu_ticks "$pid")
  local result; result=$(wrk -t2 -c"$connections" -d"$seconds"s -H "Host: direct.trace-bench.local" http://127.0.0.61:15001/)
  local t1; t1=$(cpu_ticks "$pid")
  sleep 6   # the last batches (every 5 s) reach the receiver
  local after_exports; after_exports=$(curl -sf http://127.0.0.1:14318/)
  local requests; requests=$(echo "$result" | awk '/requests in/ {print $1}')
  rps[$key]=$(echo "$result" | awk '/Requests\/sec/ {printf "%d", $2}')
  cpu_us[$key]=$(awk -v d="$((t1 - t0))" -v hz="$hz" -v n="$requests" 'BEGIN { printf "%.1f", d / hz * 1e6 / n }')
  exports[$key]=$(awk -v a="$before_exports" -v b="$after_exports" 'BEGIN { split(a, x, " "); split(b, y, " "); print y[1] - x[1] }')
  kib[$key]=$(awk -v a="$before_exports" -v b="$after_exports" 'BEGIN { split(a, x, " "); split(b, y, " "); printf "%d", (y[2] - x[2]) / 1024 }')
  if grep -q "tracing is off" "$work/proxy-$key.log"; then echo "bench: $key: $(grep 'tracing is off' "$work/proxy-$key.log")" >&2; fi
  echo "   $key: ${rps[$key]} req/s, ${cpu_us[$key]} µs CPU per request, ${exports[$key]} OTLP posts (${kib[$key]} KiB)" >&2
  kill "$pid"; wait "$pid" 2>/dev/null || true
}
otlp=(OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:14318)
echo "== proxy CPU per request, wrk -t2 -c$connections, ${seconds} s after a 10 s warm-up" >&2
measure off
measure ratio-0 "${otlp[@]}" OTEL_TRACES_SAMPLER=parentbased_traceidratio OTEL_TRACES_SAMPLER_ARG=0
measure ratio-1 "${otlp[@]}" OTEL_TRACES_SAMPLER=parentbased_traceidratio OTEL_TRACES_SAMPLER_ARG=0.01
measure ratio-100 "${otlp[@]}" OTEL_TRACES_SAMPLER=parentbased_always_on

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }'; }
report=$(cat <<REPORT
Tracing cost, $(date +%F), $(nproc) cores, wrk -t2 -c$connections for ${seconds} s after a 10 s warm-up, one proxy
(egress, single hop to nginx); CPU = the proxy process's utime+stime over the measured run ÷ requests.

| tracing | req/s | proxy CPU per request | ÷ off | OTLP exports (size) |
|---|---:|---:|---:|---:|
| off (no tracing variable) | ${rps[off]} | ${cpu_us[off]} µs | 1.00 | - |
| OTLP, sampling 0 % | ${rps[ratio-0]} | ${cpu_us[ratio-0]} µs | $(ratio "${cpu_us[ratio-0]}" "${cpu_us[off]}") | ${exports[ratio-0]} (${kib[ratio-0]} KiB) |
| OTLP, sampling 1 % | ${rps[ratio-1]} | ${cpu_us[ratio-1]} µs | $(ratio "${cpu_us[ratio-1]}" "${cpu_us[off]}") | ${exports[ratio-1]} (${kib[ratio-1]} KiB) |
| OTLP, sampling 100 % | ${rps[ratio-100]} | ${cpu_us[ratio-100]} µs | $(ratio "${cpu_us[ratio-100]}" "${cpu_us[off]}") | ${exports[ratio-100]} (${kib[ratio-100]} KiB) |
REPORT
)
echo "$report"
[ -n "$out" ] && echo "$report" > "$out"
exit 0
