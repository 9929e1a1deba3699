#!/usr/bin/env bash
# Foundation benchmarks (DESIGN.md §11): `--version`, `list` and `search` over 1,000 artifacts,
# and `add` of a 1,000-artifact folder made by the shared corpus generator. Timings come from
# hyperfine (installed from Debian's packages when missing); nothing here asserts a budget.
#
# Usage: benches/foundation.sh [N]   (default N=1000); results also land in benches/out/.
#        SKILLMEAT_BIN=path/to/skillmeat benches/foundation.sh   to time an existing binary.
set -euo pipefail
source "$(dirname "$0")/common.sh"

export SKILLMEAT_HOME="$WORK/home"
"$BIN" add "$WORK/corpus" -q

hyperfine -N --warmup 5 --export-markdown benches/out/foundation-read.md \
  "$BIN --version" \
  "$BIN list" \
  "$BIN list --json" \
  "$BIN search review" \
  "$BIN status"

hyperfine --warmup 1 --runs 10 --export-markdown benches/out/foundation-add.md \
  --prepare "rm -rf $WORK/home2" \
  "SKILLMEAT_HOME=$WORK/home2 $BIN add $WORK/corpus -q" \
  --prepare "rm -rf $WORK/copy" \
  "cp -r $WORK/corpus $WORK/copy"
