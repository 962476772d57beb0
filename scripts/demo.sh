#!/usr/bin/env bash
# The main job: install, build, check the shipped rules, then evaluate the sample applicants and print
# explained decisions (Chinese; pass `en` for English).
set -euo pipefail
cd "$(dirname "$0")/.."
LANG_ARG="${1:-zh}"
bash scripts/build.sh
./build/cli/subsidy rules check rules/
./build/cli/subsidy evaluate --rules rules/ --as-of 2024-06-28 --format text --lang "$LANG_ARG" examples/batch.jsonl
