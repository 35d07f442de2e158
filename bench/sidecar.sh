#!/usr/bin/env bash
# The sidecar path against local mode, in one run: what iptables redirection and reading each
# connection's original destination cost. Root only (network namespaces, iptables).
#   direct:     wrk (task A) -> nginx (task B)                                   over a veth pair
#   sidecar:    wrk (task A) -iptables-> A's proxy -> -iptables-> B's proxy -> nginx    as in an ECS task
#   local mode: wrk -> proxy -> proxy -> nginx on loopback (bench/proxy.sh's mesh path)
# Usage: bench/sidecar.sh [--seconds 15] [--out FILE]     Needs: nginx wrk iptables iproute2 (apt-get install ...)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
seconds=15; out=""
while [ $# -gt 0 ]; do
  case "$1" in --seconds) seconds=$2; shift 2 ;; --out) out=$2; shift 2 ;; *) echo "unknown option $1" >&2; exit 2 ;; esac
done
[ "$(id -u)" = 0 ] || { echo "bench: root is needed (network namespaces, iptables)" >&2; exit 1; }
for tool in nginx wrk iptables ip setpriv java mvn curl; do
  command -v "$tool" >/dev/null || { echo "bench: $tool is needed (apt-get install nginx wrk iptables iproute2)" >&2; exit 1; }
done
work=$(mktemp -d /tmp/meshwork-sidecar-bench-XXXX); chmod 755 "$work"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  for ns in mwbench-a mwbench-b; do ip netns pids "$ns" 2>/dev/null | xargs -r kill 2>/dev/null || true; ip netns del "$ns" 2>/dev/null || true; done
  ip link del mwbench-br 2>/dev/null || true
}
trap cleanup EXIT INT TERM

(cd "$root" && mvn -q -B -pl control-api,proxy -am package -DskipTests)

# Two tasks on a bridge; the control API listens on the bridge's address.
ip link add mwbench-br type bridge; ip addr add 10.98.0.254/24 dev mwbench-br; ip link set mwbench-br up
task() { # NAME ADDRESS
  ip netns add "mwbench-$1"; ip link add "mwb-$1-h" type veth peer name "mwb-$1-t"
  ip link set "mwb-$1-t" netns "mwbench-$1"; ip link set "mwb-$1-h" master mwbench-br; ip link set "mwb-$1-h" up
  ip -n "mwbench-$1" addr add "$2/24" dev "mwb-$1-t"; ip -n "mwbench-$1" link set lo up; ip -n "mwbench-$1" link set "mwb-$1-t" up
  ip -n "mwbench-$1" route add default via 10.98.0.254
}
task a 10.98.0.1
task b 10.98.0.2

# The app: nginx in task B on 9000 (an app port: through B's proxy) and 9001 (not one: the direct path),
# and on loopback for the local-mode path.
cat > "$work/nginx.conf" <<NGINX
worker_processes 1; daemon off; pid $work/nginx-PIDNAME.pid; error_log $work/nginx-PIDNAME.log warn;
events { worker_connections 4096; }
http { access_log off; keepalive_requests 1000000; keepalive_timeout 300s;
  server { LISTENS location / { return 200 "ok\n"; } } }
NGINX
sed -e 's/PIDNAME/b/; s/LISTENS/listen 127.0.0.1:9000; listen 10.98.0.2:9001;/' "$work/nginx.conf" > "$work/nginx-b.conf"
sed -e 's/PIDNAME/local/; s/LISTENS/listen 127.0.1.72:9000;/' "$work/nginx.conf" > "$work/nginx-local.conf"
ip netns exec mwbench-b nginx -c "$work/nginx-b.conf" -p "$work" & pids+=($!)
nginx -c "$work/nginx-local.conf" -p "$work" & pids+=($!)

export AWS_ACCESS_KEY_ID=MWKBENCHSIDECAR00001 AWS_SECRET_ACCESS_KEY=bench-sidecar-secret-0123456789abcdefghij
port=18097; api="http://10.98.0.254:$port"
CONTROL_API_PORT=$port CONTROL_API_DATA_DIR="$work/data" CONTROL_API_ROOT_ACCESS_KEY_ID=$AWS_ACCESS_KEY_ID \
  CONTROL_API_ROOT_SECRET_ACCESS_KEY=$AWS_SECRET_ACCESS_KEY CONTROL_API_ACCESS_LOG_LEVEL=WARN \
  java -jar "$root/control-api/target/control-api-0.1.0-SNAPSHOT.jar" > "$work/control-api.log" 2>&1 & pids+=($!)
for _ in $(seq 1 150); do curl -sf "http://127.0.0.1:$port/health" >/dev/null && break; sleep 0.2; done
appmesh() { curl -sf --aws-sigv4 "aws:amz:us-east-1:appmesh" --user "$AWS_ACCESS_KEY_ID:$AWS_SECRET_ACCESS_KEY" \
  -H 'Content-Type: application/json' -X "$1" "http://127.0.0.1:$port/v20190125$2" ${3:+-d "$3"} >/dev/null; }
appmesh PUT /meshes '{"meshName":"bench"}'
node() { # NAME [HOSTNAME] [BACKENDS]: with a hostname, one HTTP listener on 9000
  local spec
  if [ -n "$2" ]; then
    spec="{\"listeners\":[{\"portMapping\":{\"port\":9000,\"protocol\":\"http\"}}],\"serviceDiscovery\":{\"dns\":{\"hostname\":\"$2\"}}}"
  else
    spec="{\"backends\":$3}"
  fi
  appmesh PUT /meshes/bench/virtualNodes "{\"virtualNodeName\":\"$1\",\"spec\":$spec}"
}
node app 10.98.0.2
node app-local 127.0.0.72
appmesh PUT /meshes/bench/virtualServices '{"virtualServiceName":"app.bench.local","spec":{"provider":{"virtualNode":{"virtualNodeName":"app"}}}}'
appmesh PUT /meshes/bench/virtualServices '{"virtualServiceName":"local.bench.local","spec":{"provider":{"virtualNode":{"virtualNodeName":"app-local"}}}}'
node client "" '[{"virtualService":{"virtualServiceName":"app.bench.local"}}]'
node client-local "" '[{"virtualService":{"virtualServiceName":"local.bench.local"}}]'

# Sidecar proxies: rules as an ECS task's proxyConfiguration writes them, the proxy as uid 1337 with bin/proxy's defaults.
ip netns exec mwbench-a env APPMESH_EGRESS_IGNORED_IP=169.254.169.254,169.254.170.2 "$root/bin/proxy-init" enable
ip netns exec mwbench-b env APPMESH_APP_PORTS=9000 APPMESH_EGRESS_IGNORED_IP=169.254.169.254,169.254.170.2 "$root/bin/proxy-init" enable
mkdir -m 777 "$work/proxy-data"
sidecar() { # TASK NODE
  ip netns exec "mwbench-$1" setpriv --reuid 1337 --regid 1337 --clear-groups env APPMESH_RESOURCE_ARN="mesh/bench/virtualNode/$2" \
    PROXY_CONTROL_API_URL="$api" PROXY_DATA_DIR="$work/proxy-data" PROXY_ID="$2-sidecar" "$root/bin/proxy" > "$work/proxy-$2.log" 2>&1 &
  pids+=($!)
}
sidecar a client
sidecar b app
# Local-mode proxies on loopback, as bench/proxy.sh runs them.
local_proxy() { # NODE ADDRESS
  APPMESH_RESOURCE_ARN="mesh/bench/virtualNode/$1" PROXY_MODE=local PROXY_LOCAL_ADDRESS="$2" PROXY_APP_ADDRESS="${2/127.0.0./127.0.1.}" \
    PROXY_CONTROL_API_URL="http://127.0.0.1:$port" PROXY_DATA_DIR="$work/proxy-data" "$root/bin/proxy" > "$work/proxy-$1.log" 2>&1 &
  pids+=($!)
}
local_proxy client-local 127.0.0.71
local_proxy app-local 127.0.0.72
ready() { # NETNS ADDRESS
  for _ in $(seq 1 300); do ${1:+ip netns exec "$1"} curl -s "http://$2:9901/server_info" | grep state | grep -q LIVE && return 0; sleep 0.1; done
  echo "bench: proxy at $2 ${1:+in $1} not ready" >&2; exit 1
}
ready mwbench-a 127.0.0.1; ready mwbench-b 127.0.0.1; ready "" 127.0.0.71; ready "" 127.0.0.72
sleep 2   # every proxy's endpoints registered and pushed

declare -A rps p50 p99
run() { # KEY NETNS UID URL [HOST]
  local in=(); [ -n "$2" ] && in=(ip netns exec "$2"); [ -n "$3" ] && in+=(setpriv --reuid "$3" --regid "$3" --clear-groups)
  local host=(); [ -n "${5:-}" ] && host=(-H "Host: $5")
  "${in[@]}" wrk -t2 -c64 -d5s "${host[@]}" "$4" > /dev/null 2>&1 || true
  local result; result=$("${in[@]}" wrk -t2 -c64 -d"$seconds"s --latency "${host[@]}" "$4")
  rps[$1]=$(echo "$result" | awk '/Requests\/sec/ {print $2}')
  p50[$1]=$(echo "$result" | awk '$1=="50%" {print $2}')
  p99[$1]=$(echo "$result" | awk '$1=="99%" {print $2}')
  local errors; errors=$(echo "$result" | awk '/Non-2xx|Socket errors/' | tr '\n' ' ')
  echo "   $1: ${rps[$1]} req/s, p50 ${p50[$1]}, p99 ${p99[$1]} ${errors}" >&2
}
# uid 1337 is exempt from redirection: its wrk goes straight over the veth pair to nginx's port 9001.
run direct mwbench-a 1337 http://10.98.0.2:9001/
run sidecar mwbench-a "" http://10.98.0.2:9000/ app.bench.local:9000
run local "" "" http://127.0.0.71:15001/ local.bench.local

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }'; }
report=$(cat <<REPORT
Sidecar benchmark, $(date +%F), $(nproc) cores, ${seconds} s per run after a 5 s warm-up (wrk -t2 -c64); load generator on the same cores.

| path | req/s | p50 | p99 | sidecar ÷ this |
|---|---:|---:|---:|---:|
| direct (task A → nginx in task B, over veth) | ${rps[direct]} | ${p50[direct]} | ${p99[direct]} | $(ratio "${rps[sidecar]}" "${rps[direct]}") |
| sidecar: A's app → iptables → A's proxy → B's proxy (via iptables) → nginx | ${rps[sidecar]} | ${p50[sidecar]} | ${p99[sidecar]} | 1.00 |
| local mode: the same two proxies' path on loopback, no iptables | ${rps[local]} | ${p50[local]} | ${p99[local]} | $(ratio "${rps[sidecar]}" "${rps[local]}") |
REPORT
)
echo "$report"
[ -n "$out" ] && echo "$report" > "$out"
exit 0
