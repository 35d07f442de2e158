#!/usr/bin/env bash
# Certificate issuance: EC P-256 leaves per second, signing alone and through the API (about 1 minute).
# Usage: bench/ca.sh [--seconds 15] [--clients 8] [--out FILE]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
mvn -q -B -pl control-api,bench -am package -DskipTests
exec java -cp "bench/target/meshwork-bench-0.1.0-SNAPSHOT.jar:bench/target/lib/*" \
  io.meshwork.bench.ca.CaIssuanceBench --jar control-api/target/control-api-0.1.0-SNAPSHOT.jar "$@"
