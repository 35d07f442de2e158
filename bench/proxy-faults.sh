#!/usr/bin/env bash
# The fault benchmark: wrk through a proxy to three instances of an app, one of which is killed
# half-way through a run and restarted after it. Meshwork (retry policy, outlier detection,
# health checks) against HAProxy configured the same way, in one run on this machine; and Meshwork with App
# Mesh's defaults (none of those configured), what a mesh without resilience settings gets.
#   before: all three up; during: instance 2 killed after half the run; after: instance 2 back.
# Usage: bench/proxy-faults.sh [--seconds 20] [--out FILE]     Needs: nginx haproxy wrk
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
seconds=20; out=""
while [ $# -gt 0 ]; do
  case "$1" in --seconds) seconds=$2; shift 2 ;; --out) out=$2; shift 2 ;; *) echo "unknown option $1" >&2; exit 2 ;; esac
done
for tool in nginx haproxy wrk java mvn curl; do
  command -v "$tool" >/dev/null || { echo "bench: $tool is needed (apt-get install nginx haproxy wrk)" >&2; exit 1; }
done
work=$(mktemp -d /tmp/meshwork-fault-bench-XXXX)
pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT INT TERM

(cd "$root" && mvn -q -B -pl control-api,proxy -am package -DskipTests) >&2
declare -A app_pid
start_app() { # N
  sed -e "s#__WORK__#$work#g; s#__NAME__#$1#g; s#__ADDR__#127.0.1.5$1#g" "$root/bench/proxy/nginx-fault-app.conf" > "$work/app-$1.conf"
  nginx -c "$work/app-$1.conf" -p "$work" & app_pid[$1]=$!; pids+=($!)
  for _ in $(seq 1 50); do curl -sf "http://127.0.1.5$1:9000/health" >/dev/null && break; sleep 0.1; done
}
kill_app() { # N: SIGKILL the instance, its worker too (a killed nginx master leaves its worker serving)
  local master=${app_pid[$1]} workers; workers=$(ps -o pid= --ppid "$master" || true)
  kill -9 "$master" $workers 2>/dev/null || true; }
for n in 1 2 3; do start_app "$n"; done
sed -e "s#__WORK__#$work#g" "$root/bench/proxy/haproxy-faults.cfg" > "$work/haproxy.cfg"
haproxy -f "$work/haproxy.cfg" -db > "$work/haproxy.log" 2>&1 & pids+=($!)

# Meshwork: control API, the mesh, one client proxy; the three instances are registered as the
# node's endpoints through the data-plane protocol (as their proxies would register them).
export AWS_ACCESS_KEY_ID=MWKBENCHFAULTROOT001 AWS_SECRET_ACCESS_KEY=bench-fault-secret-0123456789abcdefghij
api=http://127.0.0.1:18098
CONTROL_API_PORT=18098 CONTROL_API_DATA_DIR="$work/data" CONTROL_API_ROOT_ACCESS_KEY_ID=$AWS_ACCESS_KEY_ID \
  CONTROL_API_ROOT_SECRET_ACCESS_KEY=$AWS_SECRET_ACCESS_KEY CONTROL_API_ACCESS_LOG_LEVEL=WARN \
  java -jar "$root/control-api/target/control-api-0.1.0-SNAPSHOT.jar" > "$work/control-api.log" 2>&1 & pids+=($!)
for _ in $(seq 1 100); do curl -sf "$api/health" >/dev/null && break; sleep 0.2; done
signed() { curl -sf --aws-sigv4 "aws:amz:us-east-1:appmesh" --user "$AWS_ACCESS_KEY_ID:$AWS_SECRET_ACCESS_KEY" \
  -H 'Content-Type: application/json' -X "$1" "$api$2" ${3:+-d "$3"} >/dev/null; }
signed PUT /v20190125/meshes '{"meshName":"faults"}'
signed PUT /v20190125/meshes/faults/virtualNodes '{"virtualNodeName":"app","spec":{"listeners":[{"portMapping":{"port":9000,"protocol":"http"},
  "healthCheck":{"protocol":"http","path":"/health","intervalMillis":5000,"timeoutMillis":2000,"healthyThreshold":2,"unhealthyThreshold":2},
  "outlierDetection":{"maxServerErrors":3,"interval":{"unit":"s","value":10},"baseEjectionDuration":{"unit":"s","value":30},"maxEjectionPercent":50}}],
  "serviceDiscovery":{"awsCloudMap":{"namespaceName":"faults.local","serviceName":"app"}}}}'
signed PUT /v20190125/meshes/faults/virtualRouters '{"virtualRouterName":"app","spec":{"listeners":[{"portMapping":{"port":9000,"protocol":"http"}}]}}'
signed PUT /v20190125/meshes/faults/virtualRouter/app/routes '{"routeName":"all","spec":{"httpRoute":{"match":{"prefix":"/"},
  "action":{"weightedTargets":[{"virtualNode":"app","weight":1}]},
  "retryPolicy":{"maxRetries":3,"perRetryTimeout":{"unit":"s","value":2},"httpRetryEvents":["gateway-error"],"tcpRetryEvents":["connection-error"]}}}}'
signed PUT /v20190125/meshes/faults/virtualServices '{"virtualServiceName":"app.faults.local","spec":{"provider":{"virtualRouter":{"virtualRouterName":"app"}}}}'
# The same three instances as node "plain", with App Mesh's defaults: no health check, no outlier detection,
# the service provided by the node directly (the implicit retry policy: 2 retries on 503, connect failure, reset).
signed PUT /v20190125/meshes/faults/virtualNodes '{"virtualNodeName":"plain","spec":{"listeners":[{"portMapping":{"port":9000,"protocol":"http"}}],
  "serviceDiscovery":{"awsCloudMap":{"namespaceName":"faults.local","serviceName":"plain"}}}}'
signed PUT /v20190125/meshes/faults/virtualServices '{"virtualServiceName":"plain.faults.local","spec":{"provider":{"virtualNode":{"virtualNodeName":"plain"}}}}'
signed PUT /v20190125/meshes/faults/virtualNodes '{"virtualNodeName":"client","spec":{"backends":[{"virtualService":{"virtualServiceName":"app.faults.local"}},
  {"virtualService":{"virtualServiceName":"plain.faults.local"}}]}}'
register() {
  for n in 1 2 3; do
    signed PUT "/meshwork/v1/proxies/bench-app-$n" "{\"resourceArn\":\"mesh/faults/virtualNode/app\",\"address\":\"127.0.1.5$n\"}"
    signed PUT "/meshwork/v1/proxies/bench-plain-$n" "{\"resourceArn\":\"mesh/faults/virtualNode/plain\",\"address\":\"127.0.1.5$n\"}"
  done
}
register
( while true; do sleep 4; register || true; done ) & pids+=($!)
APPMESH_RESOURCE_ARN=mesh/faults/virtualNode/client PROXY_MODE=local PROXY_LOCAL_ADDRESS=127.0.0.46 PROXY_APP_ADDRESS=127.0.1.46 \
  PROXY_CONTROL_API_URL="$api" PROXY_DATA_DIR="$work/proxy-data" "$root/bin/proxy" > "$work/proxy-client.log" 2>&1 & pids+=($!)
for _ in $(seq 1 300); do curl -sf "http://127.0.0.46:9901/ready" >/dev/null && break; sleep 0.05; done
sleep 2

declare -A total bad p99
run() { # KEY URL [HOST] [KILL_AFTER_SECONDS]
  local hostarg=(); [ -n "${3:-}" ] && hostarg=(-H "Host: $3")
  local killer=""
  if [ -n "${4:-}" ]; then ( sleep "$4"; kill_app 2 ) & killer=$!; fi
  local result; result=$(wrk -t2 -c32 -d"$seconds"s --latency "${hostarg[@]}" "$2")
  [ -n "$killer" ] && wait "$killer" 2>/dev/null || true
  total[$1]=$(echo "$result" | awk '/requests in/ {print $1}')
  local non2xx errors
  non2xx=$(echo "$result" | awk '/Non-2xx/ {print $5}'); non2xx=${non2xx:-0}
  errors=$(echo "$result" | awk '/Socket errors/ {gsub(",", ""); print $6 + $8 + $10}'); errors=${errors:-0}
  bad[$1]=$((non2xx + errors))
  p99[$1]=$(echo "$result" | awk '$1=="99%" {print $2}')
  echo "   $1: ${total[$1]} requests, ${bad[$1]} failed, p99 ${p99[$1]}" >&2
}
scenario() { # NAME URL [HOST]
  wrk -t2 -c32 -d5s ${3:+-H "Host: $3"} "$2" > /dev/null 2>&1 || true
  run "$1-before" "$2" "${3:-}"
  run "$1-during" "$2" "${3:-}" $((seconds / 2))
  start_app 2
  echo "   (instance 2 restarted; waiting 35 s: ejection 30 s, health checks 2 × 5 s)" >&2
  sleep 35
  run "$1-after" "$2" "${3:-}"
}
echo "== Meshwork (client proxy → 3 instances)" >&2
scenario meshwork http://127.0.0.46:15001/ app.faults.local
echo "== Meshwork with App Mesh's defaults (no health check, no outlier detection, the implicit retry policy)" >&2
scenario defaults http://127.0.0.46:15001/ plain.faults.local
echo "== HAProxy" >&2
scenario haproxy http://127.0.0.45:8080/

rate() { awk -v t="$1" -v b="$2" 'BEGIN { if (t > 0) printf "%.4f", (t - b) / t * 100; else print "-" }'; }
ms() { awk -v v="$1" 'BEGIN { n = v + 0; if (v ~ /us$/) n /= 1000; else if (v ~ /ms$/) n = n; else if (v ~ /s$/) n *= 1000; printf "%.2f", n }'; }
ratio() { awk -v a="$(ms "$1")" -v b="$(ms "$2")" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }'; }
row() { echo "| $1 | ${total[$2]} | ${bad[$2]} | $(rate "${total[$2]}" "${bad[$2]}") % | ${p99[$2]} |"; }
report=$(cat <<REPORT
Fault benchmark, $(date +%F), $(nproc) cores: wrk -t2 -c32, ${seconds} s per phase, through the proxy to 3 nginx
instances; "during": instance 2 killed (SIGKILL) after $((seconds / 2)) s; "after": instance 2 restarted, 35 s later.

| target, phase | requests | failed | success | p99 |
|---|---:|---:|---:|---:|
$(row "Meshwork, before" meshwork-before)
$(row "Meshwork, during" meshwork-during)
$(row "Meshwork, after" meshwork-after)
$(row "Meshwork with App Mesh's defaults, before" defaults-before)
$(row "Meshwork with App Mesh's defaults, during" defaults-during)
$(row "Meshwork with App Mesh's defaults, after" defaults-after)
$(row "HAProxy, before" haproxy-before)
$(row "HAProxy, during" haproxy-during)
$(row "HAProxy, after" haproxy-after)

During the fault, Meshwork p99 ÷ HAProxy p99: $(ratio "${p99[meshwork-during]}" "${p99[haproxy-during]}") (goal ≤ 1.5);
success: Meshwork $(rate "${total[meshwork-during]}" "${bad[meshwork-during]}") %, HAProxy $(rate "${total[haproxy-during]}" "${bad[haproxy-during]}") % (goal: ≥ HAProxy's).
REPORT
)
echo "$report"
[ -n "$out" ] && echo "$report" > "$out"
exit 0
