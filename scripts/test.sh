#!/usr/bin/env bash
# The whole test suite, from a clean clone: tools, dependencies, build, every package's tests.
set -euo pipefail
cd "$(dirname "$0")/.."
export TURBO_TELEMETRY_DISABLED=1
bash scripts/install-test-tools.sh
bash scripts/ensure-deps.sh
npx turbo run build
find packages apps -maxdepth 2 -name .vitest-results.json -delete 2>/dev/null || true
status=0
npx turbo run test --concurrency=2 --continue -- \
  --reporter=default --reporter=json --outputFile.json=.vitest-results.json || status=$?
node scripts/test-summary.mjs || status=1
exit "$status"
