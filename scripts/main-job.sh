#!/usr/bin/env bash
# The main job: a live point-in-time snapshot of a 256 MiB guest that keeps writing, restored on a
# second machine and compared with the guest at T0; then what a real QEMU 7.2 migration stream
# holds (the repo ships it as test data).
set -euo pipefail
cd "$(dirname "$0")/.."
node packages/cli/bin/savevm.js demo
node packages/cli/bin/savevm.js inspect packages/format/test/fixtures/qemu-7.2/pc-running.mig.gz
