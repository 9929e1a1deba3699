#!/usr/bin/env bash
# SkillMeat's main job on the embedded default: build, then in a throw-away home add the sample
# collection in examples/, list it, show one artifact, search, and check its status.
# Nothing outside a temp folder is touched; no servers are needed.
set -euo pipefail
cd "$(dirname "$0")/.."

cargo build --release --locked -q -p skillmeat
SKILLMEAT="$PWD/target/release/skillmeat"
export SKILLMEAT_HOME
SKILLMEAT_HOME="$(mktemp -d)/skillmeat-home"
trap 'rm -rf "$(dirname "$SKILLMEAT_HOME")"' EXIT

run() { printf '\n$ skillmeat %s\n' "$*"; "$SKILLMEAT" "$@"; }
echo "SKILLMEAT_HOME=$SKILLMEAT_HOME (temporary)"
run add examples/collection --tag sample
run list
run show code-review
run search review
run status
