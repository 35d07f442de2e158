#!/usr/bin/env bash
# The proxy benchmark: Meshwork's proxy against nginx and HAProxy (Debian packages) configured as
# equivalent reverse proxies, and against the direct path, side by side in one run on this machine.
#   single hop:  wrk -> proxy -> app            (Meshwork: the egress listener)
#   byte relay:  wrk -> Meshwork TCP listener -> app: the same runtime with no HTTP in it, the floor under the HTTP path
#   mesh path:   wrk -> proxy -> proxy -> app   (Meshwork: egress proxy -> ingress proxy; nginx: two nginx)
#   one connection: latency at light load, p99 added to the direct path's
#   HTTP/2:      h2load -> proxy -> app (h2c)
# How (bench/README.md has the why):
#   * every Meshwork listener is warmed for --warmup seconds (default 30) before anything is measured,
#     then every target runs once for 5 s unrecorded (switching loads recompiles shared code once more),
#     so the JIT compiles outside the windows; GC and JIT compile time inside each window are reported;
#   * --rounds rounds (default 3); round 2 runs the targets in reverse order, so each target runs first
#     and last once; every figure is the median with the spread (min-max) over the rounds, and every
#     ratio is taken within a round (side by side) before its median is taken;
#   * CPU per request of the proxy processes only (utime+stime from /proc/<pid>/stat: every nginx
#     worker, HAProxy's threads, the proxy JVM with its GC and JIT threads), not the app's or wrk's;
#   * memory of each Meshwork proxy sampled every second under all loads: peak RSS (VmHWM) and peak
#     private memory (Private_Clean + Private_Dirty from smaps_rollup: what it does not share);
#   * ready: three fresh starts of a proxy, process start to /ready = 200; the same for the proxy image when this
#     machine can build and run it (root, umoci; BENCH_IMAGE=0 leaves it out);
#   * allocation per HTTP/1.1 request: a JFR recording of jdk.ThreadAllocationStatistics only, at the end
#     (JFR loads classes into the proxy, so it runs after the memory figures are taken).
# Usage: bench/proxy.sh [--seconds 10] [--warmup 30] [--rounds 3] [--out FILE]
#   BENCH_HOLD=1 keeps everything up to poke at by hand; BENCH_PROFILE_ONLY=1 records a JFR profile of the egress proxy.
# Needs: nginx haproxy wrk h2load (apt-get install nginx haproxy wrk nghttp2-client), python3, a JDK's jstat/jcmd/jfr
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
seconds=10; warmup=30; rounds=3; out=""
while [ $# -gt 0 ]; do
  case "$1" in --seconds) seconds=$2; shift 2 ;; --warmup) warmup=$2; shift 2 ;; --rounds) rounds=$2; shift 2 ;;
    --out) out=$2; shift 2 ;; *) echo "unknown option $1" >&2; exit 2 ;; esac
done
for tool in nginx haproxy wrk h2load java mvn curl python3 jstat jcmd jfr; do
  command -v "$tool" >/dev/null || { echo "bench: $tool is needed (apt-get install nginx haproxy wrk nghttp2-client)" >&2; exit 1; }
done
work=$(mktemp -d /tmp/meshwork-proxy-bench-XXXX)
pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT INT TERM

(cd "$root" && mvn -q -B -pl control-api,proxy -am package -DskipTests)
# The proxy image too, to time its start (what ECS and EKS run), where it can be built and run: root, umoci, and
# mmdebstrap or an already built Debian base (docs/images.md). BENCH_IMAGE=0 leaves it out.
image=""
if [ "${BENCH_IMAGE:-1}" != 0 ] && [ "$(id -u)" = 0 ] && command -v umoci >/dev/null \
    && { command -v mmdebstrap >/dev/null || ls "${MESHWORK_IMAGE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/meshwork}"/base-*.tar >/dev/null 2>&1; }; then
  (cd "$root" && mvn -q -B -Pimages -pl proxy -am package -DskipTests) && image="$root/proxy/target/meshwork-proxy-image.tar"
fi
conf() { sed -e "s#__WORK__#$work#g" "$@"; }

# The app.
conf "$root/bench/proxy/nginx-app.conf" > "$work/nginx-app.conf"
nginx -c "$work/nginx-app.conf" -p "$work" & pids+=($!)
# nginx single hop and the two-nginx chain; each nginx's master pid is kept to find its workers.
declare -A master
start_nginx() { # NAME LISTEN UPSTREAM H2LISTEN
  conf "$root/bench/proxy/nginx-proxy.conf" | sed -e "s#__NAME__#$1#g; s#__LISTEN__#$2#; s#__UPSTREAM__#$3#; s#__H2LISTEN__#$4#" > "$work/nginx-$1.conf"
  nginx -c "$work/nginx-$1.conf" -p "$work" & pids+=($!); master[$1]=$!
}
start_nginx single 127.0.0.41:8080 127.0.1.31:9000 "listen 127.0.0.41:8082 http2;"
start_nginx chain-out 127.0.0.42:8080 127.0.0.43:8080 ""
start_nginx chain-in 127.0.0.43:8080 127.0.1.31:9000 ""
conf "$root/bench/proxy/haproxy.cfg" > "$work/haproxy.cfg"
haproxy -f "$work/haproxy.cfg" -db > "$work/haproxy.log" 2>&1 & pids+=($!); haproxy_pid=$!

# Meshwork: control API, the mesh, two proxies.
export AWS_ACCESS_KEY_ID=MWKBENCHPROXYROOT001 AWS_SECRET_ACCESS_KEY=bench-proxy-secret-0123456789abcdefghij
api=http://127.0.0.1:18099
CONTROL_API_PORT=18099 CONTROL_API_DATA_DIR="$work/data" CONTROL_API_ROOT_ACCESS_KEY_ID=$AWS_ACCESS_KEY_ID \
  CONTROL_API_ROOT_SECRET_ACCESS_KEY=$AWS_SECRET_ACCESS_KEY CONTROL_API_ACCESS_LOG_LEVEL=WARN \
  java -jar "$root/control-api/target/control-api-0.1.0-SNAPSHOT.jar" > "$work/control-api.log" 2>&1 & pids+=($!)
for _ in $(seq 1 150); do curl -sf "$api/health" >/dev/null && break; sleep 0.2; done
appmesh() { curl -sf --aws-sigv4 "aws:amz:us-east-1:appmesh" --user "$AWS_ACCESS_KEY_ID:$AWS_SECRET_ACCESS_KEY" \
  -H 'Content-Type: application/json' -X "$1" "$api/v20190125$2" ${3:+-d "$3"} >/dev/null; }
appmesh PUT /meshes '{"meshName":"bench"}'
node() { appmesh PUT /meshes/bench/virtualNodes "{\"virtualNodeName\":\"$1\",\"spec\":{\"listeners\":[{\"portMapping\":{\"port\":$3,\"protocol\":\"$4\"}}],\"serviceDiscovery\":{\"dns\":{\"hostname\":\"$2\"}}${5:+,\"backends\":$5}}}"; }
service() { appmesh PUT /meshes/bench/virtualServices "{\"virtualServiceName\":\"$1\",\"spec\":{\"provider\":{\"virtualNode\":{\"virtualNodeName\":\"$2\"}}}}"; }
node app-direct 127.0.1.31 9000 http
node app-meshed 127.0.0.32 9000 http
node app-h2 127.0.1.31 9002 http2
node app-tcp 127.0.0.36 9000 tcp
service direct.bench.local app-direct
service meshed.bench.local app-meshed
service h2.bench.local app-h2
backends='[{"virtualService":{"virtualServiceName":"direct.bench.local"}},{"virtualService":{"virtualServiceName":"meshed.bench.local"}},{"virtualService":{"virtualServiceName":"h2.bench.local"}}]'
node client 127.0.0.31 8080 http "$backends"
node startup 127.0.0.33 8080 http "$backends"
proxy_pid=""
start_proxy() { # NODE ADDRESS [TRANSPORT]   (bin/proxy execs java: the pid is the JVM's)
  PROXY_TRANSPORT="${3:-}" PROXY_ID="$1-${2##*.}" APPMESH_RESOURCE_ARN="mesh/bench/virtualNode/$1" PROXY_MODE=local PROXY_LOCAL_ADDRESS="$2" PROXY_APP_ADDRESS="${2/127.0.0./127.0.1.}" \
    PROXY_CONTROL_API_URL="$api" PROXY_DATA_DIR="$work/proxy-data-$1" \
    "$root/bin/proxy" > "$work/proxy-$1-${2##*.}.log" 2>&1 &
  proxy_pid=$!; pids+=($proxy_pid)
}
ready_ms() { # ADDRESS START_NS
  for _ in $(seq 1 1000); do curl -sf "http://$1:9901/ready" >/dev/null && break; sleep 0.005; done
  echo $(( ($(date +%s%N) - $2) / 1000000 ))
}

# Ready: three fresh starts (the first also warms the page cache for the jar and the JDK).
ready=()
for _ in 1 2 3; do
  t0=$(date +%s%N); start_proxy startup 127.0.0.33; ready+=("$(ready_ms 127.0.0.33 "$t0")")
  kill "$proxy_pid"; wait "$proxy_pid" 2>/dev/null || true
done
# The same in the proxy image (packaging/image-root): unpacked by umoci, its own launcher and JVM under chroot with
# a /proc and /dev of their own, its environment as the image sets it; the first start again without a saved
# configuration.
image_ready=()
if [ -n "$image" ]; then
  "$root/packaging/image-root" unpack "$image" "$work/image"
  for _ in 1 2 3; do
    t0=$(date +%s%N)
    "$root/packaging/image-root" run "$work/image/bundle" PROXY_ID=startup-image APPMESH_RESOURCE_ARN="mesh/bench/virtualNode/startup" \
      PROXY_MODE=local PROXY_LOCAL_ADDRESS=127.0.0.33 PROXY_APP_ADDRESS=127.0.1.33 PROXY_CONTROL_API_URL="$api" PROXY_DATA_DIR=/tmp/bench-data \
      AWS_ACCESS_KEY_ID="$AWS_ACCESS_KEY_ID" AWS_SECRET_ACCESS_KEY="$AWS_SECRET_ACCESS_KEY" /opt/meshwork/bin/meshwork-proxy > "$work/proxy-image.log" 2>&1 &
    image_ready+=("$(ready_ms 127.0.0.33 "$t0")")
    # The JVM is the first process of its namespace, unshare's only child: stopped directly, then unshare ends.
    image_jvm=$(ps -o pid= --ppid $! | tr -d ' '); kill "$image_jvm" 2>/dev/null || true; wait $! 2>/dev/null || true
  done
fi
start_proxy client 127.0.0.31; client_pid=$proxy_pid; ready_ms 127.0.0.31 "$(date +%s%N)" >/dev/null
start_proxy app-meshed 127.0.0.32; meshed_pid=$proxy_pid; ready_ms 127.0.0.32 "$(date +%s%N)" >/dev/null
# The egress proxy again on io_uring (PROXY_TRANSPORT=io_uring, opt-in), for the transport comparison.
start_proxy client 127.0.0.34 io_uring; uring_pid=$proxy_pid; ready_ms 127.0.0.34 "$(date +%s%N)" >/dev/null
grep -q "transport: IO_URING" "$work/proxy-client-34.log" || echo "bench: io_uring is not available here; meshwork-uring runs on epoll" >&2
# The byte relay: the ingress TCP listener of a node whose listener is tcp, in front of the app. No HTTP is parsed, so
# its CPU per request is what this runtime (JVM, Netty, epoll) costs to relay a request and its response at all.
start_proxy app-tcp 127.0.0.36; tcp_pid=$proxy_pid; ready_ms 127.0.0.36 "$(date +%s%N)" >/dev/null
transport=$(sed -n 's/.*transport: \([A-Z_]*\).*/\1/p' "$work/proxy-client-31.log" | head -n 1)

# Memory of both proxies, sampled every second from here on: peak private memory (kB) per proxy.
sample_memory() { # PID FILE
  local peak=0 now
  while kill -0 "$1" 2>/dev/null; do
    now=$(awk '/^Private_(Clean|Dirty):/ {s += $2} END {print s + 0}' "/proc/$1/smaps_rollup" 2>/dev/null || echo 0)
    [ "$now" -gt "$peak" ] && peak=$now && echo "$peak" > "$2"
    sleep 1
  done
}
sample_memory "$client_pid" "$work/private-client" & pids+=($!)
sample_memory "$meshed_pid" "$work/private-meshed" & pids+=($!)

if [ -n "${BENCH_HOLD:-}" ]; then   # keep everything running to poke at it by hand
  echo "bench: everything is up (work dir $work, client proxy pid $client_pid); Ctrl-C ends it" >&2
  sleep infinity & pids+=($!); wait $!
fi

if [ -n "${BENCH_PROFILE_ONLY:-}" ]; then   # a JFR profile of the warmed egress proxy under single-hop load
  wrk -t2 -c64 -d"$warmup"s -H "Host: direct.bench.local" http://127.0.0.31:15001/ >/dev/null
  jcmd "$client_pid" JFR.start name=profile settings=profile >/dev/null
  wrk -t2 -c64 -d"$seconds"s -H "Host: direct.bench.local" http://127.0.0.31:15001/
  jcmd "$client_pid" JFR.stop name=profile filename=/tmp/proxy-profile.jfr >/dev/null
  echo "bench: profile in /tmp/proxy-profile.jfr (jfr print --events jdk.ExecutionSample, or JDK Mission Control)" >&2
  exit 0
fi

# The processes each target's CPU is counted over.
workers() { echo "$1 $(cat /proc/"$1"/task/"$1"/children 2>/dev/null)"; }
procs_of() { # KEY
  case "$1" in
    direct*) echo "" ;;
    meshwork-path) echo "$client_pid $meshed_pid" ;;
    meshwork-uring*) echo "$uring_pid" ;;
    meshwork-tcp*) echo "$tcp_pid" ;;
    meshwork*) echo "$client_pid" ;;
    nginx-chain) echo "$(workers "${master[chain-out]}") $(workers "${master[chain-in]}")" ;;
    nginx*) workers "${master[single]}" ;;
    haproxy*) echo "$haproxy_pid" ;;
  esac
}
cpu_ticks() { local t=0 p; for p in "$@"; do t=$((t + $(awk '{print $14 + $15}' "/proc/$p/stat"))); done; echo "$t"; }
hz=$(getconf CLK_TCK)
jvm_ms() { # PID... -> "gc_ms jit_ms" summed (jstat reads the JVM's perf data, no attach)
  local gc=0 jit=0 p
  for p in "$@"; do
    gc=$(awk -v a="$gc" -v b="$(jstat -gc "$p" | awk 'NR==2 {print $NF}')" 'BEGIN {print a + b * 1000}')
    jit=$(awk -v a="$jit" -v b="$(jstat -compiler "$p" | awk 'NR==2 {print $4}')" 'BEGIN {print a + b * 1000}')
  done
  echo "$gc $jit"
}
ms() { # wrk latency like 1.23ms / 456.00us / 1.20s -> milliseconds
  awk -v v="$1" 'BEGIN { n = v + 0; if (v ~ /us$/) n /= 1000; else if (v ~ /ms$/) n = n; else if (v ~ /s$/) n *= 1000; printf "%.3f", n }'
}

# The targets: KEY TOOL CONNECTIONS URL HOST
targets=(
  "h1/direct wrk 64 http://127.0.1.31:9000/ -"
  "h1/meshwork wrk 64 http://127.0.0.31:15001/ direct.bench.local"
  "h1/nginx wrk 64 http://127.0.0.41:8080/ -"
  "h1/haproxy wrk 64 http://127.0.0.44:8080/ -"
  "h1/meshwork-uring wrk 64 http://127.0.0.34:15001/ direct.bench.local"
  "h1/meshwork-tcp wrk 64 http://127.0.0.36:9000/ -"
  "path/meshwork-path wrk 64 http://127.0.0.31:15001/ meshed.bench.local"
  "path/nginx-chain wrk 64 http://127.0.0.42:8080/ -"
  "c1/direct-1 wrk 1 http://127.0.1.31:9000/ -"
  "c1/meshwork-1 wrk 1 http://127.0.0.31:15001/ direct.bench.local"
  "c1/nginx-1 wrk 1 http://127.0.0.41:8080/ -"
  "c1/haproxy-1 wrk 1 http://127.0.0.44:8080/ -"
  "h2/direct-h2 h2load 16 http://127.0.1.31:9002/ -"
  "h2/meshwork-h2 h2load 16 http://127.0.0.31:15001/ h2.bench.local"
  "h2/haproxy-h2 h2load 16 http://127.0.0.44:8082/ -"
  "h2/nginx-h2 h2load 16 http://127.0.0.41:8082/ -"
  "h2/meshwork-uring-h2 h2load 16 http://127.0.0.34:15001/ h2.bench.local"
)
load() { # TOOL CONNECTIONS SECONDS URL HOST -> "requests rps p50_ms p99_ms"
  local tool=$1 c=$2 s=$3 url=$4 host=$5 result
  if [ "$tool" = wrk ]; then
    local hostarg=(); [ "$host" != - ] && hostarg=(-H "Host: $host")
    result=$(wrk -t"$(( c > 1 ? 2 : 1 ))" -c"$c" -d"$s"s --latency "${hostarg[@]}" "$url")
    echo "$(echo "$result" | awk '/requests in/ {print $1}') $(echo "$result" | awk '/Requests\/sec/ {print $2}')" \
      "$(ms "$(echo "$result" | awk '$1=="50%" {print $2}')") $(ms "$(echo "$result" | awk '$1=="99%" {print $2}')")"
  else
    local auth=(); [ "$host" != - ] && auth=(-H ":authority: $host")
    result=$(h2load -c"$c" -m10 -t2 -D "$s" "${auth[@]}" "$url")
    echo "$(echo "$result" | awk '/^requests:/ {print $8}') $(echo "$result" | awk '/^finished in/ {print $4}') - -"
  fi
}

echo "== warm-up: each Meshwork path ${warmup} s, each reference 5 s" >&2
load wrk 64 "$warmup" http://127.0.0.31:15001/ direct.bench.local >/dev/null
load wrk 64 "$warmup" http://127.0.0.31:15001/ meshed.bench.local >/dev/null
load h2load 16 "$warmup" http://127.0.0.31:15001/ h2.bench.local >/dev/null
load wrk 64 "$warmup" http://127.0.0.34:15001/ direct.bench.local >/dev/null   # the io_uring proxy, with the mesh path's
load wrk 64 5 http://127.0.0.34:15001/ meshed.bench.local >/dev/null           # load too, so its JIT profiles match the stock one's
load h2load 16 "$warmup" http://127.0.0.34:15001/ h2.bench.local >/dev/null
load wrk 64 "$warmup" http://127.0.0.36:9000/ - >/dev/null                     # the byte relay
for ref in http://127.0.0.41:8080/ http://127.0.0.44:8080/ http://127.0.0.42:8080/; do load wrk 64 5 "$ref" - >/dev/null; done
load h2load 16 5 http://127.0.0.44:8082/ - >/dev/null

raw="$work/raw.tsv"   # round key requests rps p50 p99 cpu_us_per_request gc_ms jit_ms
# Round 0 is one more warm-up: every target once, 5 s each, nothing recorded. Loading one path after another
# changes the type profiles the JIT compiled the shared request code for, and the first switches
# deoptimise and recompile it inside the windows; after one pass the proxies run code compiled for the mix.
for round in $(seq 0 "$rounds"); do
  order=("${targets[@]}")
  if [ $((round % 2)) -eq 0 ] && [ "$round" -gt 0 ]; then order=(); for ((i = ${#targets[@]} - 1; i >= 0; i--)); do order+=("${targets[i]}"); done; fi
  if [ "$round" -eq 0 ]; then
    echo "== warm-up pass: every target 5 s, not recorded" >&2
    for target in "${order[@]}"; do read -r key tool c url host <<< "$target"; load "$tool" "$c" 5 "$url" "$host" >/dev/null; done
    continue
  fi
  echo "== round $round of $rounds" >&2
  for target in "${order[@]}"; do
    read -r key tool c url host <<< "$target"
    read -ra procs <<< "$(procs_of "${key#*/}")"
    jvm=(); [[ $key == */meshwork* ]] && read -ra jvm <<< "$(procs_of "${key#*/}")"
    cpu0=0; [ ${#procs[@]} -gt 0 ] && cpu0=$(cpu_ticks "${procs[@]}")
    j0="0 0"; [ ${#jvm[@]} -gt 0 ] && j0=$(jvm_ms "${jvm[@]}")
    read -r requests rps p50 p99 <<< "$(load "$tool" "$c" "$seconds" "$url" "$host")"
    cpu1=0; [ ${#procs[@]} -gt 0 ] && cpu1=$(cpu_ticks "${procs[@]}")
    j1="0 0"; [ ${#jvm[@]} -gt 0 ] && j1=$(jvm_ms "${jvm[@]}")
    cpu_us=$(awk -v d=$((cpu1 - cpu0)) -v hz="$hz" -v n="$requests" -v p=${#procs[@]} 'BEGIN { if (p > 0 && n > 0) printf "%.1f", d / hz * 1e6 / n; else print "-" }')
    read -r gc jit <<< "$(awk -v a="$j0" -v b="$j1" 'BEGIN { split(a, x, " "); split(b, y, " "); printf "%.0f %.0f", y[1] - x[1], y[2] - x[2] }')"
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$round" "${key#*/}" "$requests" "$rps" "$p50" "$p99" "$cpu_us" "$gc" "$jit" >> "$raw"
    printf '   %-14s %10s req/s  p50 %6s ms  p99 %6s ms  cpu %6s us/req  gc %4s ms  jit %4s ms\n' \
      "${key#*/}" "$rps" "$p50" "$p99" "$cpu_us" "$gc" "$jit" >&2
  done
done

peak_client=$(awk '/VmHWM/ {print $2}' "/proc/$client_pid/status"); peak_meshed=$(awk '/VmHWM/ {print $2}' "/proc/$meshed_pid/status")
private_client=$(cat "$work/private-client" 2>/dev/null || echo 0); private_meshed=$(cat "$work/private-meshed" 2>/dev/null || echo 0)
classes=$(jcmd "$client_pid" PerfCounter.print 2>/dev/null | awk -F= '/java.cls.loadedClasses=/ {l=$2} /java.cls.sharedLoadedClasses=/ {s=$2} END {print l " from jars, " s " from class-data archives"}')

# Allocation per HTTP/1.1 request, single hop: per-thread allocated bytes at the start and end of a recording.
cat > "$work/alloc.jfc" <<'JFC'
<?xml version="1.0" encoding="UTF-8"?>
<configuration version="2.0">
  <event name="jdk.ThreadAllocationStatistics"><setting name="enabled">true</setting><setting name="period">everyChunk</setting></event>
</configuration>
JFC
alloc=()
for _ in $(seq 1 "$rounds"); do
  jcmd "$client_pid" JFR.start name=alloc settings="$work/alloc.jfc" >/dev/null
  read -r requests _ <<< "$(load wrk 64 "$seconds" http://127.0.0.31:15001/ direct.bench.local)"
  jcmd "$client_pid" JFR.stop name=alloc filename="$work/alloc.jfr" >/dev/null
  alloc+=("$(jfr print --json --events jdk.ThreadAllocationStatistics "$work/alloc.jfr" | python3 -c '
import json, sys
events = json.load(sys.stdin)["recording"]["events"]
seen = {}
for e in events:
    v = e["values"]; t = v["thread"]["javaName"] or str(v["thread"]["osThreadId"])
    lo, hi = seen.get(t, (v["allocated"], v["allocated"]))
    seen[t] = (min(lo, v["allocated"]), max(hi, v["allocated"]))
# JFR'"'"'s own threads are the recording, not the proxy.
print(round(sum(hi - lo for t, (lo, hi) in seen.items() if not t.startswith("JFR")) / int(sys.argv[1])))
' "$requests")")
  rm -f "$work/alloc.jfr"
done

# The report: medians and spreads over the rounds; ratios taken within each round.
summary=$(awk -F'\t' -v rounds="$rounds" '
  function sort3(a, n,   i, j, t) { for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t } }
  function stat(name, col,   a, n, r) { n = 0; for (r = 1; r <= rounds; r++) if ((r, name) in v && v[r, name, col] != "-") a[++n] = v[r, name, col] + 0
    if (n == 0) return "-"; sort3(a, n); return n == 1 ? fmt(a[1]) : fmt(a[int((n + 1) / 2)]) " (" fmt(a[1]) "–" fmt(a[n]) ")" }
  function ratio(x, y, col, inv,   a, n, r, q) { n = 0; for (r = 1; r <= rounds; r++) if ((r, x) in v && (r, y) in v) {
      q = inv ? v[r, y, col] / v[r, x, col] : v[r, x, col] / v[r, y, col]; a[++n] = q }
    if (n == 0) return "-"; sort3(a, n); return sprintf("**%.2f** (%.2f–%.2f)", a[int((n + 1) / 2)], a[1], a[n]) }
  function added(x, col,   a, n, r) { n = 0; for (r = 1; r <= rounds; r++) if ((r, x) in v && (r, "direct-1") in v) a[++n] = v[r, x, col] - v[r, "direct-1", col]
    if (n == 0) return "-"; sort3(a, n); return sprintf("%.3f (%.3f–%.3f)", a[int((n + 1) / 2)], a[1], a[n]) }
  function fmt(x) { return x >= 1000 ? sprintf("%.0f", x) : (x >= 10 ? sprintf("%.1f", x) : sprintf("%.3g", x)) }
  { v[$1, $2] = 1; for (c = 3; c <= 9; c++) v[$1, $2, c] = $c }
  END {
    print "| target | req/s | p50 ms | p99 ms | proxy CPU µs/req | GC ms | JIT ms |"
    print "|---|---:|---:|---:|---:|---:|---:|"
    n = split("direct meshwork nginx haproxy meshwork-path nginx-chain direct-1 meshwork-1 nginx-1 haproxy-1 direct-h2 meshwork-h2 haproxy-h2 nginx-h2 meshwork-uring meshwork-uring-h2 meshwork-tcp", k, " ")
    for (i = 1; i <= n; i++) printf "| %s | %s | %s | %s | %s | %s | %s |\n", k[i], stat(k[i], 4), stat(k[i], 5), stat(k[i], 6), stat(k[i], 7), stat(k[i], 8), stat(k[i], 9)
    print ""
    print "| goal | measured (median, min–max over the rounds) |"
    print "|---|---|"
    print "| HTTP/1.1 single hop ≥ 1.0× nginx req/s | " ratio("meshwork", "nginx", 4, 0) " |"
    print "| HTTP/1.1 single hop ≥ 1.0× HAProxy req/s | " ratio("meshwork", "haproxy", 4, 0) " |"
    print "| CPU per request ≤ nginx'"'"'s (Meshwork ÷ nginx) | " ratio("meshwork", "nginx", 7, 0) " |"
    print "| mesh path ≥ 1.0× two nginx in a chain | " ratio("meshwork-path", "nginx-chain", 4, 0) " |"
    print "| HTTP/2 h2 → h2 ≥ 0.9× HAProxy | " ratio("meshwork-h2", "haproxy-h2", 4, 0) " |"
    print "| p99 at 64 connections ≤ 1.3× HAProxy'"'"'s | " ratio("meshwork", "haproxy", 6, 0) " |"
    print "| PROXY_TRANSPORT=io_uring ÷ the default epoll: HTTP/1.1 req/s; CPU µs/req; HTTP/2 req/s | " ratio("meshwork-uring", "meshwork", 4, 0) "; " ratio("meshwork-uring", "meshwork", 7, 0) "; " ratio("meshwork-uring-h2", "meshwork-h2", 4, 0) " |"
    print "| the floor: Meshwork relaying the same requests as bytes (TCP listener) ÷ nginx: req/s; CPU µs/req | " ratio("meshwork-tcp", "nginx", 4, 0) "; " ratio("meshwork-tcp", "nginx", 7, 0) " |"
    print "| p99 added at one connection ≤ HAProxy'"'"'s (ms over direct: Meshwork / HAProxy / nginx) | " added("meshwork-1", 6) " / " added("haproxy-1", 6) " / " added("nginx-1", 6) " |"
  }' "$raw")
range() { printf '%s\n' "$@" | sort -n | awk '{a[NR] = $1} END {if (NR == 1) print a[1]; else printf "%s (%s–%s)", a[int((NR + 1) / 2)], a[1], a[NR]}'; }
report=$(cat <<REPORT
Proxy benchmark, $(date +%F), $(nproc) cores; load generators, app and proxies share them. Each Meshwork path warmed
${warmup} s first; then ${rounds} rounds of ${seconds} s per target (round 2 in reverse order); medians with (min–max).
nginx $(nginx -v 2>&1 | sed 's#.*/##'), HAProxy $(haproxy -v | head -1 | awk '{print $3}'), Meshwork bin/proxy (JVM options: ${PROXY_JAVA_OPTS:-the launcher defaults}, $(java -version 2>&1 | head -1);
transport ${transport:-?}; meshwork-uring is a second egress proxy with PROXY_TRANSPORT=io_uring).
HTTP/2: h2load 16 connections × 10 streams; Meshwork and HAProxy h2 → h2, nginx h2 → HTTP/1.1 (it cannot proxy h2).

$summary
| memory under all these loads ≤ 48 MiB private, ≤ 80 MiB peak RSS | egress proxy $((private_client / 1024)) MiB private, $((peak_client / 1024)) MiB peak RSS; ingress proxy $((private_meshed / 1024)) MiB, $((peak_meshed / 1024)) MiB |
| ready ≤ 0.5 s after start | $(range "${ready[@]}") ms |
| ready in the proxy image (umoci, chroot; as above) | $([ ${#image_ready[@]} -gt 0 ] && echo "$(range "${image_ready[@]}") ms" || echo "not measured: needs root, umoci and the images build (docs/images.md)") |
| allocation per HTTP/1.1 request ≤ 0.5 KB | $(range "${alloc[@]}") bytes |

Classes loaded in the egress proxy at the end: ${classes:-?}. GC and JIT: milliseconds spent inside each measured window by the
Meshwork proxies (jstat). CPU: the proxy processes' utime+stime per request (nginx: master and workers; HAProxy: its process).
REPORT
)
echo "$report"
[ -n "$out" ] && echo "$report" > "$out"
exit 0
