#!/usr/bin/env bash
# Pack benchmarks (DESIGN.md §11): `bundle export` of 1,000 artifacts against `zip -r -6` of the
# same files, and `bundle verify` of that pack against `sha256sum` over the same files. The
# corpus comes from the shared generator; timings from hyperfine (installed from Debian's
# packages when missing, like zip). Nothing here asserts a budget: the ratios go to docs/packs.md.
#
# Usage: benches/pack.sh [N]   (default N=1000); results also land in benches/out/.
#        SKILLMEAT_BIN=path/to/skillmeat benches/pack.sh   measures that binary (no build).
set -euo pipefail
BENCH_TOOLS=zip
source "$(dirname "$0")/common.sh"

export SKILLMEAT_HOME="$WORK/home"
"$BIN" add "$WORK/corpus" -q
"$BIN" bundle export --all -o "$WORK/all.skillmeat-pack" -q
(cd "$WORK/corpus" && zip -q -r -6 "$WORK/all.zip" .)
echo "pack: $(stat -c %s "$WORK/all.skillmeat-pack") bytes; zip -r -6: $(stat -c %s "$WORK/all.zip") bytes"

# The collection copy holds exactly the corpus files, so both sides read the same bytes.
COLL="$SKILLMEAT_HOME/collections/default"
hyperfine --warmup 2 --runs 10 --export-markdown benches/out/pack-export.md \
  -n "skillmeat bundle export --all" "$BIN bundle export --all -o $WORK/x.skillmeat-pack -q" \
  -n "zip -r -6" --prepare "rm -f $WORK/x.zip" "cd $COLL && zip -q -r -6 $WORK/x.zip skills commands agents"

hyperfine --warmup 2 --runs 10 --export-markdown benches/out/pack-verify.md \
  -n "skillmeat bundle verify" "$BIN bundle verify $WORK/all.skillmeat-pack -q" \
  -n "sha256sum" "cd $COLL && find skills commands agents -type f -print0 | xargs -0 sha256sum >/dev/null"
