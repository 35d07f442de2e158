#!/usr/bin/env bash
# Control plane at scale: 1,000 simulated proxies on a mesh of 1,000 nodes (about 2 minutes).
# Usage: bench/control-plane.sh [--nodes 1000] [--writes 20] [--out FILE]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
mvn -q -B -pl control-api,bench -am package -DskipTests
exec java -cp "bench/target/meshwork-bench-0.1.0-SNAPSHOT.jar:bench/target/lib/*" \
  io.meshwork.bench.controlplane.ControlPlaneScaleBench --jar control-api/target/control-api-0.1.0-SNAPSHOT.jar "$@"
