#!/usr/bin/env bash
# Runs the cargo-fuzz targets in fuzz/ (libFuzzer + AddressSanitizer) for a while each:
#   check    core::check over every file kind: no panic, ranges on char boundaries, fixes apply
#   formats  collection.toml, collection.lock, front matter and source-spec parsers: no panic
#   pack     `bundle verify` of arbitrary bytes as a .skillmeat-pack: no panic
# Usage: scripts/fuzz.sh [SECONDS_PER_TARGET] [TARGET…]   (default 60 s, all targets)
# Installs cargo-fuzz from crates.io when missing. The stable toolchain is enough:
# RUSTC_BOOTSTRAP=1 lets it take the nightly-only sanitizer flags cargo-fuzz passes. Corpora
# persist in fuzz/corpus/<target> (ignored by git); a crash is written to fuzz/artifacts/<target>
# and the script exits non-zero. Not part of scripts/test.sh: fuzzing is open-ended.
set -euo pipefail
cd "$(dirname "$0")/../fuzz"
SECS="${1:-60}"
shift || true
TARGETS=("$@")
((${#TARGETS[@]})) || TARGETS=(check formats pack)
command -v cargo-fuzz >/dev/null 2>&1 || cargo install cargo-fuzz --locked
export RUSTC_BOOTSTRAP=1
for t in "${TARGETS[@]}"; do
  mkdir -p "corpus/$t"
  echo "fuzz: $t for ${SECS}s"
  cargo fuzz run -O "$t" "corpus/$t" -- -max_total_time="$SECS" -rss_limit_mb=2048
done
