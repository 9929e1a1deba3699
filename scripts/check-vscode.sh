#!/usr/bin/env bash
# Compiles the VS Code extension (editors/vscode) with the versions in its package-lock.json, so
# a change to the extension that does not type-check fails CI. Needs Node.js and npm
# (scripts/install-test-deps.sh installs them when missing); writes only editors/vscode/out and
# editors/vscode/node_modules, both ignored by git.
set -euo pipefail
cd "$(dirname "$0")/../editors/vscode"
npm ci --no-audit --no-fund --loglevel=error
npx --no-install tsc -p ./
test -s out/extension.js
echo "check-vscode: editors/vscode compiles"
