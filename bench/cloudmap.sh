#!/usr/bin/env bash
# Cloud Map → proxies: 1,000 instances across 100 Cloud Map services (moto_server), 100 simulated proxies;
# the time from RegisterInstance/DeregisterInstance until the affected proxy has it, and Cloud Map calls
# per minute at steady state (about 4 minutes). Needs moto_server on PATH.
# Usage: bench/cloudmap.sh [--services 100] [--instances 10] [--changes 100] [--quiet-seconds 60] [--out FILE]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
mvn -q -B -pl control-api,bench -am package -DskipTests
exec java -cp "bench/target/meshwork-bench-0.1.0-SNAPSHOT.jar:bench/target/lib/*" \
  io.meshwork.bench.cloudmap.CloudMapPropagationBench --jar control-api/target/control-api-0.1.0-SNAPSHOT.jar "$@"
