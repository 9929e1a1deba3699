#!/usr/bin/env bash
# The whole test suite, from a fresh clone: installs the test dependencies (idempotent), checks
# formatting, runs every test in the workspace, then compiles the VS Code extension. CI runs
# exactly this (.ci/run).
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-test-deps.sh
cargo fmt --all --check
cargo test --workspace --locked
scripts/check-vscode.sh
