#!/usr/bin/env bash
# Fills the seed corpora of the fuzz targets from the source tree (nothing large is committed):
#   tests/fuzz/seed-corpus.sh OUT_DIR [RULEGEN [COUNT]]
# OUT_DIR/rules       every .rules file of rules/, bench/rules/ and tests/golden/, each ruleset
#                     concatenated into one file (so a seed compiles on its own), the regression
#                     inputs, and COUNT (default 200) generated well-typed files from RULEGEN
#                     (the `rulegen` tool, tests/support/rulegen.hpp; `--small` ones, quick to
#                     run), if given;
# OUT_DIR/facts       examples/*.json, tests/cli/data/*.json, each line of examples/batch.jsonl,
#                     the regression inputs;
# OUT_DIR/case_state  tests/fuzz/seeds/case_state/*.json, every "state" object of the golden
#                     workflow CLI outputs, the regression inputs.
# Existing files are kept (a corpus grows from run to run); seeds are named by content.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
OUT="${1:?usage: seed-corpus.sh OUT_DIR [RULEGEN [COUNT]]}"
RULEGEN="${2:-}"
COUNT="${3:-200}"
mkdir -p "$OUT/rules" "$OUT/facts" "$OUT/case_state"

# seed TARGET FILE: copy FILE into the corpus under its content hash.
seed() { cp "$2" "$OUT/$1/seed-$(sha1sum "$2" | cut -c1-16)"; }

find "$ROOT/rules" "$ROOT/bench/rules" "$ROOT/tests/golden" -name '*.rules' -print0 | sort -z |
  while IFS= read -r -d '' f; do seed rules "$f"; done
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
for dir in rules bench/rules; do
  find "$ROOT/$dir" -name '*.rules' -print0 | sort -z | xargs -0 cat > "$tmp/all.rules"
  seed rules "$tmp/all.rules"
done
if [ -n "$RULEGEN" ]; then
  (cd "$tmp" && "$RULEGEN" --small 1 "$COUNT")
  for f in "$tmp"/gen-*.rules; do seed rules "$f"; done
fi

for f in "$ROOT"/examples/*.json "$ROOT"/tests/cli/data/*.json; do [ -f "$f" ] && seed facts "$f"; done
n=0
while IFS= read -r line; do
  n=$((n + 1))
  printf '%s' "$line" > "$tmp/line-$n.json"
  seed facts "$tmp/line-$n.json"
done < "$ROOT/examples/batch.jsonl"

for f in "$ROOT"/tests/fuzz/seeds/case_state/*.json; do seed case_state "$f"; done
python3 - "$tmp" "$ROOT"/tests/golden/workflow_cli/*json* <<'PY'
import json, sys
out, n = sys.argv[1], 0
for path in sys.argv[2:]:
    text = open(path, encoding="utf-8").read()
    pos = text.find('"state":')
    while pos >= 0:
        try:
            obj, end = json.JSONDecoder().raw_decode(text, pos + len('"state":'))
            n += 1
            with open(f"{out}/state-{n}.json", "w", encoding="utf-8") as f:
                f.write(json.dumps(obj, ensure_ascii=False, separators=(",", ":")))
        except ValueError:
            end = pos + 1
        pos = text.find('"state":', end)
PY
for f in "$tmp"/state-*.json; do [ -f "$f" ] && seed case_state "$f"; done

for t in rules facts case_state; do
  for f in "$ROOT"/tests/fuzz/regressions/"$t"/*; do [ -f "$f" ] && seed "$t" "$f"; done
done
for t in rules facts case_state; do echo "seed corpus $t: $(find "$OUT/$t" -type f | wc -l) files"; done
