#!/usr/bin/env bash
# Fresh machine to working savevm: install, build, then run the main job.
set -euo pipefail
cd "$(dirname "$0")/.."
export TURBO_TELEMETRY_DISABLED=1
bash scripts/ensure-deps.sh
npx turbo run build
bash scripts/main-job.sh
