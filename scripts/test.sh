#!/usr/bin/env bash
# The one command that runs every test: installs dependencies, builds, runs unit, golden, CLI and rule tests.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh
ctest --test-dir build --output-on-failure -j"$(nproc)"
