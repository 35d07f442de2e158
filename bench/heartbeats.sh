#!/usr/bin/env bash
# The mesh-wide view at scale: 1,000 simulated proxies heartbeating with traffic reports every 5 s,
# the overview read every 2 s, on H2 and on PostgreSQL (about 6 minutes).
# Usage: bench/heartbeats.sh [--proxies 1000] [--nodes 100] [--seconds 60] [--targets h2,postgres] [--out FILE]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
mvn -q -B -pl control-api,bench -am package -DskipTests
exec java -cp "bench/target/meshwork-bench-0.1.0-SNAPSHOT.jar:bench/target/lib/*" \
  io.meshwork.bench.observe.HeartbeatScaleBench --jar control-api/target/control-api-0.1.0-SNAPSHOT.jar "$@"
