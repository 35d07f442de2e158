#!/usr/bin/env bash
# mTLS data path: Meshwork's two proxies with mutual TLS between them (Meshwork-issued certificates)
# against two nginx and two HAProxy doing the same TLS (client certificate out, verified in), in one
# run; plus new TLS handshakes per second on a TLS listener of each.
#   mesh path:   wrk -> proxy -> (mTLS) -> proxy -> app
#   handshakes:  wrk (Connection: close, https) -> TLS listener -> app
# Usage: bench/proxy-mtls.sh [--seconds 15] [--out FILE]     Needs: nginx haproxy wrk openssl
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
seconds=15; out=""
while [ $# -gt 0 ]; do
  case "$1" in --seconds) seconds=$2; shift 2 ;; --out) out=$2; shift 2 ;; *) echo "unknown option $1" >&2; exit 2 ;; esac
done
for tool in nginx haproxy wrk openssl java mvn curl; do
  command -v "$tool" >/dev/null || { echo "bench: $tool is needed (apt-get install nginx haproxy wrk openssl)" >&2; exit 1; }
done
work=$(mktemp -d /tmp/meshwork-mtls-bench-XXXX)
pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT INT TERM
(cd "$root" && mvn -q -B -pl control-api,proxy -am package -DskipTests)
conf() { sed -e "s#__WORK__#$work#g" "$@"; }

# Certificates for nginx and HAProxy: one CA, a server and a client leaf, EC P-256 like Meshwork's.
mkdir -p "$work/tls"; cd "$work/tls"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout ca.key -out ca.pem -days 2 -subj "/CN=bench CA" 2>/dev/null
for who in server client; do
  openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout $who.key -out $who.csr -subj "/CN=$who.bench" 2>/dev/null
  printf "subjectAltName=DNS:%s.bench\nextendedKeyUsage=serverAuth,clientAuth\n" $who > $who.ext
  openssl x509 -req -in $who.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out $who.pem -days 2 -extfile $who.ext 2>/dev/null
  cat $who.pem $who.key > $who-bundle.pem
done
cd "$root"

conf "$root/bench/proxy/nginx-app.conf" > "$work/nginx-app.conf"
nginx -c "$work/nginx-app.conf" -p "$work" & pids+=($!)
conf "$root/bench/proxy/nginx-tls-in.conf" > "$work/nginx-tls-in.conf"
nginx -c "$work/nginx-tls-in.conf" -p "$work" & pids+=($!)
conf "$root/bench/proxy/nginx-tls-out.conf" > "$work/nginx-tls-out.conf"
nginx -c "$work/nginx-tls-out.conf" -p "$work" & pids+=($!)
conf "$root/bench/proxy/haproxy-tls.cfg" > "$work/haproxy-tls.cfg"
haproxy -f "$work/haproxy-tls.cfg" -db > "$work/haproxy.log" 2>&1 & pids+=($!)

# Meshwork: control API, a node whose listener is STRICT mTLS, a client whose policy enforces TLS,
# and a node with a TLS listener without client validation (for the handshake rate).
export AWS_ACCESS_KEY_ID=MWKBENCHMTLSROOT0001 AWS_SECRET_ACCESS_KEY=bench-mtls-secret-0123456789abcdefghijk
api=http://127.0.0.1:18098
CONTROL_API_PORT=18098 CONTROL_API_DATA_DIR="$work/data" CONTROL_API_ROOT_ACCESS_KEY_ID=$AWS_ACCESS_KEY_ID \
  CONTROL_API_ROOT_SECRET_ACCESS_KEY=$AWS_SECRET_ACCESS_KEY CONTROL_API_ACCESS_LOG_LEVEL=WARN \
  java -jar "$root/control-api/target/control-api-0.1.0-SNAPSHOT.jar" > "$work/control-api.log" 2>&1 & pids+=($!)
for _ in $(seq 1 100); do curl -sf "$api/health" >/dev/null && break; sleep 0.2; done
appmesh() { curl -sf --aws-sigv4 "aws:amz:us-east-1:appmesh" --user "$AWS_ACCESS_KEY_ID:$AWS_SECRET_ACCESS_KEY" \
  -H 'Content-Type: application/json' -X "$1" "$api/v20190125$2" ${3:+-d "$3"} >/dev/null; }
td=spiffe://meshwork.local/mesh/bench
appmesh PUT /meshes '{"meshName":"bench"}'
appmesh PUT /meshes/bench/virtualNodes "{\"virtualNodeName\":\"app-tls\",\"spec\":{\"listeners\":[{\"portMapping\":{\"port\":9000,\"protocol\":\"http\"},\"tls\":{\"mode\":\"STRICT\",\"certificate\":{\"sds\":{\"secretName\":\"$td/virtualNode/app-tls\"}},\"validation\":{\"trust\":{\"sds\":{\"secretName\":\"spiffe://meshwork.local\"}},\"subjectAlternativeNames\":{\"match\":{\"exact\":[\"$td/virtualNode/client\"]}}}}}],\"serviceDiscovery\":{\"dns\":{\"hostname\":\"127.0.0.52\"}}}}"
appmesh PUT /meshes/bench/virtualNodes "{\"virtualNodeName\":\"app-open\",\"spec\":{\"listeners\":[{\"portMapping\":{\"port\":9000,\"protocol\":\"http\"},\"tls\":{\"mode\":\"STRICT\",\"certificate\":{\"sds\":{\"secretName\":\"$td/virtualNode/app-open\"}}}}],\"serviceDiscovery\":{\"dns\":{\"hostname\":\"127.0.0.57\"}}}}"
appmesh PUT /meshes/bench/virtualServices '{"virtualServiceName":"tls.bench.local","spec":{"provider":{"virtualNode":{"virtualNodeName":"app-tls"}}}}'
appmesh PUT /meshes/bench/virtualNodes "{\"virtualNodeName\":\"client\",\"spec\":{\"backends\":[{\"virtualService\":{\"virtualServiceName\":\"tls.bench.local\",\"clientPolicy\":{\"tls\":{\"enforce\":true,\"certificate\":{\"sds\":{\"secretName\":\"$td/virtualNode/client\"}},\"validation\":{\"trust\":{\"sds\":{\"secretName\":\"spiffe://meshwork.local\"}},\"subjectAlternativeNames\":{\"match\":{\"exact\":[\"$td/virtualNode/app-tls\"]}}}}}}}]}}"
start_proxy() { # NODE ADDRESS
  APPMESH_RESOURCE_ARN="mesh/bench/virtualNode/$1" PROXY_MODE=local PROXY_LOCAL_ADDRESS="$2" PROXY_APP_ADDRESS=127.0.1.31 \
    PROXY_CONTROL_API_URL="$api" PROXY_DATA_DIR="$work/proxy-data" "$root/bin/proxy" > "$work/proxy-$1.log" 2>&1 & pids+=($!)
  for _ in $(seq 1 600); do curl -sf "http://$2:9901/ready" >/dev/null && break; sleep 0.01; done
}
start_proxy client 127.0.0.51
start_proxy app-tls 127.0.0.52
start_proxy app-open 127.0.0.57
sleep 1
curl -sf -H "Host: tls.bench.local" http://127.0.0.51:15001/ >/dev/null || { echo "bench: the Meshwork mTLS path does not answer" >&2; exit 1; }

declare -A rps p99
run_wrk() { # KEY CONNECTIONS URL [HOST] [EXTRA...]
  local key=$1 conns=$2 url=$3; shift 3
  local args=(); [ -n "${1:-}" ] && args=(-H "Host: $1"); shift || true
  args+=("$@")
  wrk -t2 -c"$conns" -d5s "${args[@]}" "$url" > /dev/null 2>&1 || true
  local result; result=$(wrk -t2 -c"$conns" -d"$seconds"s --latency "${args[@]}" "$url")
  rps[$key]=$(echo "$result" | awk '/Requests\/sec/ {print $2}')
  p99[$key]=$(echo "$result" | awk '$1=="99%" {print $2}')
  local errors; errors=$(echo "$result" | awk '/Non-2xx|Socket errors/' | tr '\n' ' ')
  echo "   $key: ${rps[$key]} req/s, p99 ${p99[$key]} $errors" >&2
}
echo "== mesh path with mTLS between the proxies, 64 connections" >&2
run_wrk meshwork 64 http://127.0.0.51:15001/ tls.bench.local
run_wrk nginx 64 http://127.0.0.53:8080/ ""
run_wrk haproxy 64 http://127.0.0.55:8080/ ""
echo "== new TLS handshakes (https, Connection: close), 32 connections" >&2
run_wrk hs-meshwork 32 https://127.0.0.57:9000/ "" -H "Connection: close"
run_wrk hs-nginx 32 https://127.0.0.54:8444/ "" -H "Connection: close"
run_wrk hs-haproxy 32 https://127.0.0.56:8444/ "" -H "Connection: close"

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }'; }
report=$(cat <<REPORT
mTLS benchmark, $(date +%F), $(nproc) cores, ${seconds} s per run after a 5 s warm-up; EC P-256 certificates everywhere;
load generator on the same cores.

| mesh path, mTLS between the two proxies | req/s | p99 | Meshwork ÷ this |
|---|---:|---:|---:|
| Meshwork (egress proxy → mTLS → ingress proxy → app) | ${rps[meshwork]} | ${p99[meshwork]} | 1.00 |
| two nginx $(nginx -v 2>&1 | sed 's#.*/##') (proxy_ssl_certificate → ssl_verify_client) | ${rps[nginx]} | ${p99[nginx]} | $(ratio "${rps[meshwork]}" "${rps[nginx]}") |
| two HAProxy $(haproxy -v | head -1 | awk '{print $3}') (crt → verify required) | ${rps[haproxy]} | ${p99[haproxy]} | $(ratio "${rps[meshwork]}" "${rps[haproxy]}") |

| new TLS handshakes (full handshake per request) | handshakes/s | Meshwork ÷ this |
|---|---:|---:|
| Meshwork TLS listener (BoringSSL via netty-tcnative) | ${rps[hs-meshwork]} | 1.00 |
| nginx | ${rps[hs-nginx]} | $(ratio "${rps[hs-meshwork]}" "${rps[hs-nginx]}") |
| HAProxy | ${rps[hs-haproxy]} | $(ratio "${rps[hs-meshwork]}" "${rps[hs-haproxy]}") |
REPORT
)
echo "$report"
[ -n "$out" ] && echo "$report" > "$out"
exit 0
