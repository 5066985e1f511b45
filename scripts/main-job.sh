#!/usr/bin/env bash
# The main job: show what a real QEMU 7.2 migration stream holds (the repo ships it as test data).
set -euo pipefail
cd "$(dirname "$0")/.."
node packages/cli/bin/savevm.js inspect packages/format/test/fixtures/qemu-7.2/pc-running.mig.gz
