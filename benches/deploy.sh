#!/usr/bin/env bash
# Deploy benchmarks (DESIGN.md §11: `deploy --all` of 1,000 within 1.5x of `cp -r` of the same
# files): deploy, drift and sync of N artifacts made by the shared corpus generator, beside
# `cp -r` of the same files. Timings come from hyperfine; nothing here asserts a budget.
#
# Usage: benches/deploy.sh [N]   (default N=1000); results also land in benches/out/.
#        SKILLMEAT_BIN=path/to/skillmeat benches/deploy.sh   to time an existing binary.
set -euo pipefail
source "$(dirname "$0")/common.sh"

export SKILLMEAT_HOME="$WORK/home"
"$BIN" add "$WORK/corpus" -q
# Fill the blob store once, as any deploy after the first finds it.
"$BIN" deploy --all -q --project "$WORK/warm"

# 1. deploy --all into a fresh project, beside cp -r of the same three folders.
hyperfine --warmup 1 --runs 10 --export-markdown benches/out/deploy-all.md \
  --prepare "rm -rf $WORK/p" \
  "$BIN deploy --all -q --project $WORK/p" \
  --prepare "rm -rf $WORK/c && mkdir -p $WORK/c/.claude" \
  "cp -r $WORK/corpus/skills $WORK/corpus/commands $WORK/corpus/agents $WORK/c/.claude/"

# 2. drift (three hashes per artifact) and no-op sync / redeploy of a current project.
"$BIN" deploy --all -q --project "$WORK/p"
hyperfine --warmup 2 --runs 10 --export-markdown benches/out/deploy-read.md \
  "$BIN drift --project $WORK/p" \
  "$BIN sync --project $WORK/p" \
  "$BIN deploy --all -q --project $WORK/p"

# 3. sync of N outdated artifacts: every collection copy moves on, then each run starts from
#    the deployed-before-the-change project.
cp -a "$WORK/p" "$WORK/p-old"
find "$SKILLMEAT_HOME/collections/default" \( -name SKILL.md -o -path '*/commands/*.md' -o -path '*/agents/*.md' \) \
  -exec sh -c 'for f; do printf "\nOne more line.\n" >> "$f"; done' _ {} +
hyperfine --warmup 1 --runs 10 --export-markdown benches/out/deploy-sync.md \
  --prepare "rm -rf $WORK/p && cp -a $WORK/p-old $WORK/p" \
  "$BIN sync -q --project $WORK/p" \
  --prepare "rm -rf $WORK/c && mkdir -p $WORK/c/.claude" \
  "cp -r $SKILLMEAT_HOME/collections/default/skills $SKILLMEAT_HOME/collections/default/commands $SKILLMEAT_HOME/collections/default/agents $WORK/c/.claude/"
