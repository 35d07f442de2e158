#!/usr/bin/env bash
# Control API vs moto_server: builds both jars, then runs the benchmark (about 10 minutes).
# Usage: bench/control-api.sh [--nodes 10000] [--seconds 15] [--out bench/results/control-api.md]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
command -v moto_server >/dev/null || { echo "moto_server is needed (pip install 'moto[server]==5.2.1')" >&2; exit 1; }
mvn -q -B -pl control-api,bench -am package -DskipTests
exec java -cp "bench/target/meshwork-bench-0.1.0-SNAPSHOT.jar:bench/target/lib/*" \
  io.meshwork.bench.controlapi.ControlApiBench --jar control-api/target/control-api-0.1.0-SNAPSHOT.jar "$@"
