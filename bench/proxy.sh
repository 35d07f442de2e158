#!/usr/bin/env bash
# The proxy benchmark: Meshwork's proxy against nginx and HAProxy (Debian packages) configured as
# equivalent reverse proxies, and against the direct path, in one run on this machine.
#   single hop:  wrk -> proxy -> app            (Meshwork: the egress listener)
#   mesh path:   wrk -> proxy -> proxy -> app   (Meshwork: egress proxy -> ingress proxy; nginx: two nginx)
#   HTTP/2:      h2load -> proxy -> app (h2c)
# Also: proxy resident memory under load, time from start to ready.
# Usage: bench/proxy.sh [--seconds 20] [--out FILE]     Needs: nginx haproxy wrk h2load (apt-get install ...)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
seconds=20; out=""
while [ $# -gt 0 ]; do
  case "$1" in --seconds) seconds=$2; shift 2 ;; --out) out=$2; shift 2 ;; *) echo "unknown option $1" >&2; exit 2 ;; esac
done
for tool in nginx haproxy wrk h2load java mvn curl; do
  command -v "$tool" >/dev/null || { echo "bench: $tool is needed (apt-get install nginx haproxy wrk nghttp2-client)" >&2; exit 1; }
done
work=$(mktemp -d /tmp/meshwork-proxy-bench-XXXX)
pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT INT TERM

(cd "$root" && mvn -q -B -pl control-api,proxy -am package -DskipTests)
conf() { sed -e "s#__WORK__#$work#g" "$@"; }

# The app.
conf "$root/bench/proxy/nginx-app.conf" > "$work/nginx-app.conf"
nginx -c "$work/nginx-app.conf" -p "$work" & pids+=($!)
# nginx single hop and the two-nginx chain.
start_nginx() { # NAME LISTEN UPSTREAM H2LISTEN
  conf "$root/bench/proxy/nginx-proxy.conf" | sed -e "s#__NAME__#$1#g; s#__LISTEN__#$2#; s#__UPSTREAM__#$3#; s#__H2LISTEN__#$4#" > "$work/nginx-$1.conf"
  nginx -c "$work/nginx-$1.conf" -p "$work" & pids+=($!)
}
start_nginx single 127.0.0.41:8080 127.0.1.31:9000 "listen 127.0.0.41:8082 http2;"
start_nginx chain-out 127.0.0.42:8080 127.0.0.43:8080 ""
start_nginx chain-in 127.0.0.43:8080 127.0.1.31:9000 ""
conf "$root/bench/proxy/haproxy.cfg" > "$work/haproxy.cfg"
haproxy -f "$work/haproxy.cfg" -db > "$work/haproxy.log" 2>&1 & pids+=($!)

# Meshwork: control API, the mesh, two proxies.
export AWS_ACCESS_KEY_ID=MWKBENCHPROXYROOT001 AWS_SECRET_ACCESS_KEY=bench-proxy-secret-0123456789abcdefghij
api=http://127.0.0.1:18099
CONTROL_API_PORT=18099 CONTROL_API_DATA_DIR="$work/data" CONTROL_API_ROOT_ACCESS_KEY_ID=$AWS_ACCESS_KEY_ID \
  CONTROL_API_ROOT_SECRET_ACCESS_KEY=$AWS_SECRET_ACCESS_KEY CONTROL_API_ACCESS_LOG_LEVEL=WARN \
  java -jar "$root/control-api/target/control-api-0.1.0-SNAPSHOT.jar" > "$work/control-api.log" 2>&1 & pids+=($!)
for _ in $(seq 1 100); do curl -sf "$api/health" >/dev/null && break; sleep 0.2; done
appmesh() { curl -sf --aws-sigv4 "aws:amz:us-east-1:appmesh" --user "$AWS_ACCESS_KEY_ID:$AWS_SECRET_ACCESS_KEY" \
  -H 'Content-Type: application/json' -X "$1" "$api/v20190125$2" ${3:+-d "$3"} >/dev/null; }
appmesh PUT /meshes '{"meshName":"bench"}'
node() { appmesh PUT /meshes/bench/virtualNodes "{\"virtualNodeName\":\"$1\",\"spec\":{\"listeners\":[{\"portMapping\":{\"port\":$3,\"protocol\":\"$4\"}}],\"serviceDiscovery\":{\"dns\":{\"hostname\":\"$2\"}}${5:+,\"backends\":$5}}}"; }
service() { appmesh PUT /meshes/bench/virtualServices "{\"virtualServiceName\":\"$1\",\"spec\":{\"provider\":{\"virtualNode\":{\"virtualNodeName\":\"$2\"}}}}"; }
node app-direct 127.0.1.31 9000 http
node app-meshed 127.0.0.32 9000 http
node app-h2 127.0.1.31 9002 http2
service direct.bench.local app-direct
service meshed.bench.local app-meshed
service h2.bench.local app-h2
node client 127.0.0.31 8080 http '[{"virtualService":{"virtualServiceName":"direct.bench.local"}},{"virtualService":{"virtualServiceName":"meshed.bench.local"}},{"virtualService":{"virtualServiceName":"h2.bench.local"}}]'
proxy_pid=""
start_proxy() { # NODE ADDRESS
  APPMESH_RESOURCE_ARN="mesh/bench/virtualNode/$1" PROXY_MODE=local PROXY_LOCAL_ADDRESS="$2" PROXY_APP_ADDRESS="${2/127.0.0./127.0.1.}" \
    PROXY_CONTROL_API_URL="$api" PROXY_DATA_DIR="$work/proxy-data" \
    "$root/bin/proxy" > "$work/proxy-$1.log" 2>&1 &
  proxy_pid=$!; pids+=($proxy_pid)
}
ready_ms() { # ADDRESS START_NS
  for _ in $(seq 1 600); do curl -sf "http://$1:9901/ready" >/dev/null && break; sleep 0.01; done
  echo $(( ($(date +%s%N) - $2) / 1000000 ))
}
t0=$(date +%s%N); start_proxy client 127.0.0.31; client_pid=$proxy_pid; ready_client=$(ready_ms 127.0.0.31 "$t0")
t0=$(date +%s%N); start_proxy app-meshed 127.0.0.32; ready_meshed=$(ready_ms 127.0.0.32 "$t0")
sleep 1

declare -A rps p50 p99
run_wrk() { # KEY CONNECTIONS SECONDS URL [HOST]
  local hostarg=(); [ -n "${5:-}" ] && hostarg=(-H "Host: $5")
  wrk -t2 -c"$2" -d5s "${hostarg[@]}" "$4" > /dev/null 2>&1 || true           # warm-up (JIT, pools)
  local result; result=$(wrk -t2 -c"$2" -d"$3"s --latency "${hostarg[@]}" "$4")
  rps[$1]=$(echo "$result" | awk '/Requests\/sec/ {print $2}')
  p50[$1]=$(echo "$result" | awk '$1=="50%" {print $2}')
  p99[$1]=$(echo "$result" | awk '$1=="99%" {print $2}')
  echo "   $1: ${rps[$1]} req/s, p50 ${p50[$1]}, p99 ${p99[$1]}" >&2
}
run_wrk_light() { # KEY URL [HOST]
  local hostarg=(); [ -n "${3:-}" ] && hostarg=(-H "Host: $3")
  wrk -t1 -c1 -d3s "${hostarg[@]}" "$2" > /dev/null 2>&1 || true
  local result; result=$(wrk -t1 -c1 -d"$seconds"s --latency "${hostarg[@]}" "$2")
  p50[$1]=$(echo "$result" | awk '$1=="50%" {print $2}')
  p99[$1]=$(echo "$result" | awk '$1=="99%" {print $2}')
  rps[$1]=$(echo "$result" | awk '/Requests\/sec/ {print $2}')
  echo "   $1: p50 ${p50[$1]}, p99 ${p99[$1]}" >&2
}
declare -A h2rps
run_h2load() { # KEY URL [AUTHORITY]
  local auth=(); [ -n "${3:-}" ] && auth=(-H ":authority: $3")
  h2load -c16 -m10 -t2 -D 5 "${auth[@]}" "$2" > /dev/null 2>&1 || true
  local result; result=$(h2load -c16 -m10 -t2 -D "$seconds" "${auth[@]}" "$2")
  h2rps[$1]=$(echo "$result" | awk '/^finished in/ {print $4}')
  local failed; failed=$(echo "$result" | awk '/^requests:/ {print $10}')
  echo "   $1: ${h2rps[$1]} req/s (failed $failed)" >&2
}

if [ -n "${BENCH_HOLD:-}" ]; then   # keep everything running to poke at it by hand
  echo "bench: everything is up (work dir $work, client proxy pid $client_pid); Ctrl-C ends it" >&2
  sleep infinity & pids+=($!); wait $!
fi
if [ -n "${BENCH_PROFILE_ONLY:-}" ]; then
  wrk -t2 -c64 -d"$seconds"s -H "Host: direct.bench.local" http://127.0.0.31:15001/
  jcmd "$client_pid" JFR.dump filename=/tmp/proxy-profile.jfr >/dev/null
  exit 0
fi
echo "== HTTP/1.1 keep-alive, 64 connections" >&2
run_wrk direct 64 "$seconds" http://127.0.1.31:9000/
run_wrk meshwork 64 "$seconds" http://127.0.0.31:15001/ direct.bench.local
peak_rss_kib=$(awk '/VmHWM/ {print $2}' "/proc/$client_pid/status")
run_wrk nginx 64 "$seconds" http://127.0.0.41:8080/
run_wrk haproxy 64 "$seconds" http://127.0.0.44:8080/
echo "== mesh path (two proxies), 64 connections" >&2
run_wrk meshwork-path 64 "$seconds" http://127.0.0.31:15001/ meshed.bench.local
run_wrk nginx-chain 64 "$seconds" http://127.0.0.42:8080/
echo "== one connection (latency at light load)" >&2
run_wrk_light direct-1 http://127.0.1.31:9000/
run_wrk_light meshwork-1 http://127.0.0.31:15001/ direct.bench.local
run_wrk_light nginx-1 http://127.0.0.41:8080/
run_wrk_light haproxy-1 http://127.0.0.44:8080/
echo "== HTTP/2 (h2c), 16 connections x 10 streams" >&2
run_h2load direct http://127.0.1.31:9002/
run_h2load meshwork http://127.0.0.31:15001/ h2.bench.local
run_h2load haproxy http://127.0.0.44:8082/
run_h2load nginx http://127.0.0.41:8082/
peak_rss_kib=$(awk '/VmHWM/ {print $2}' "/proc/$client_pid/status")
rss_after_kib=$(awk '/VmRSS/ {print $2}' "/proc/$client_pid/status")
private_kib=$(awk '/^Private_(Clean|Dirty):/ {s += $2} END {print s}' "/proc/$client_pid/smaps_rollup")
classes=$(jcmd "$client_pid" PerfCounter.print 2>/dev/null | awk -F= '/java.cls.loadedClasses=/ {l=$2} /java.cls.sharedLoadedClasses=/ {s=$2} END {print l " from jars, " s " from class-data archives"}')

ms() { # wrk latency like 1.23ms / 456.00us / 1.20s -> milliseconds
  awk -v v="$1" 'BEGIN { n = v + 0; if (v ~ /us$/) n /= 1000; else if (v ~ /ms$/) n = n; else if (v ~ /s$/) n *= 1000; printf "%.3f", n }'
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }'; }
added() { awk -v a="$(ms "$1")" -v b="$(ms "$2")" 'BEGIN { printf "%.3f", a - b }'; }
report=$(cat <<REPORT
Proxy benchmark, $(date +%F), $(nproc) cores, ${seconds} s per run after a 5 s warm-up; load generator on the same cores.

| path | req/s | p50 | p99 | Meshwork ÷ this |
|---|---:|---:|---:|---:|
| direct (wrk → app) | ${rps[direct]} | ${p50[direct]} | ${p99[direct]} | $(ratio "${rps[meshwork]}" "${rps[direct]}") |
| Meshwork proxy (egress) | ${rps[meshwork]} | ${p50[meshwork]} | ${p99[meshwork]} | 1.00 |
| nginx $(nginx -v 2>&1 | sed 's#.*/##') | ${rps[nginx]} | ${p50[nginx]} | ${p99[nginx]} | $(ratio "${rps[meshwork]}" "${rps[nginx]}") |
| HAProxy $(haproxy -v | head -1 | awk '{print $3}') | ${rps[haproxy]} | ${p50[haproxy]} | ${p99[haproxy]} | $(ratio "${rps[meshwork]}" "${rps[haproxy]}") |
| Meshwork mesh path (egress → ingress proxy) | ${rps[meshwork-path]} | ${p50[meshwork-path]} | ${p99[meshwork-path]} | 1.00 |
| two nginx in a chain | ${rps[nginx-chain]} | ${p50[nginx-chain]} | ${p99[nginx-chain]} | $(ratio "${rps[meshwork-path]}" "${rps[nginx-chain]}") |

One connection (light load): p99 added to the direct path's ${p99[direct-1]}:
Meshwork $(added "${p99[meshwork-1]}" "${p99[direct-1]}") ms, nginx $(added "${p99[nginx-1]}" "${p99[direct-1]}") ms,
HAProxy $(added "${p99[haproxy-1]}" "${p99[direct-1]}") ms (p50: direct ${p50[direct-1]}, Meshwork ${p50[meshwork-1]}, nginx ${p50[nginx-1]}, HAProxy ${p50[haproxy-1]}).

HTTP/2 (h2load, 16 connections × 10 streams): direct ${h2rps[direct]} req/s, Meshwork ${h2rps[meshwork]} (h2 → h2),
HAProxy ${h2rps[haproxy]} (h2 → h2), nginx ${h2rps[nginx]} (h2 → HTTP/1.1: nginx cannot proxy to h2);
Meshwork ÷ HAProxy $(ratio "${h2rps[meshwork]}" "${h2rps[haproxy]}"), ÷ nginx $(ratio "${h2rps[meshwork]}" "${h2rps[nginx]}").

Meshwork proxy (bin/proxy, JVM options: ${PROXY_JAVA_OPTS:-bin/proxy defaults}): peak resident memory (VmHWM) $((peak_rss_kib / 1024)) MiB
over all these loads, $((rss_after_kib / 1024)) MiB resident and $((private_kib / 1024)) MiB private (smaps_rollup) at the end;
classes loaded: ${classes};
ready ${ready_client} ms and ${ready_meshed} ms after start (process start to /ready = 200, configuration from the control API).
REPORT
)
echo "$report"
[ -n "$out" ] && echo "$report" > "$out"
exit 0
