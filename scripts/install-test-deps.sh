#!/usr/bin/env bash
# Installs what the test suite and benchmarks need beyond Rust: `git` (git sources and vaults),
# the moto S3 server (the S3 vault tests start `python3 -m moto.server` on 127.0.0.1) and `zip`
# (benches/pack.sh compares against `zip -r -6`). Idempotent: installs only what is missing.
# Used by developers and by CI.
set -euo pipefail

need_apt=()
command -v git >/dev/null 2>&1 || need_apt+=(git)
command -v zip >/dev/null 2>&1 || need_apt+=(zip)
command -v python3 >/dev/null 2>&1 || need_apt+=(python3 python3-pip)
if ((${#need_apt[@]})); then
  if command -v apt-get >/dev/null 2>&1; then
    SUDO=""
    [ "$(id -u)" -ne 0 ] && SUDO="sudo"
    $SUDO apt-get update -qq
    $SUDO apt-get install -y -qq "${need_apt[@]}"
  else
    echo "install these with your package manager: ${need_apt[*]}" >&2
    exit 1
  fi
fi

if ! python3 -c 'import moto.server, flask, flask_cors' >/dev/null 2>&1; then
  python3 -m pip install --quiet 'moto[server]' ||
    python3 -m pip install --quiet --break-system-packages 'moto[server]'
fi
python3 -c 'import moto; print("moto", moto.__version__, "ready")'
