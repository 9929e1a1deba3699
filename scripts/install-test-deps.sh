#!/usr/bin/env bash
# Installs what the test suite needs beyond the Rust toolchain, idempotently: a second run does
# nothing. Used by scripts/test.sh and therefore by CI on a fresh machine.
set -euo pipefail

need_apt=()
command -v git >/dev/null 2>&1 || need_apt+=(git)
command -v python3 >/dev/null 2>&1 || need_apt+=(python3)

if ((${#need_apt[@]})); then
  if command -v apt-get >/dev/null 2>&1; then
    SUDO=""
    [ "$(id -u)" -eq 0 ] || SUDO="sudo"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need_apt[@]}"
  else
    echo "install-test-deps: please install: ${need_apt[*]}" >&2
    exit 1
  fi
fi
