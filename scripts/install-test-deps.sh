#!/usr/bin/env bash
# Installs what the test suite needs beyond the Rust toolchain, idempotently: a second run does
# nothing. Used by scripts/test.sh and therefore by CI on a fresh machine.
#   git              git sources and git vaults
#   zip              benches/pack.sh compares pack export with `zip -r -6`
#   moto[server]     the S3-compatible server the S3 vault tests start on 127.0.0.1
#   node, npm        scripts/check-vscode.sh compiles the VS Code extension
#   gnome-keyring, dbus-daemon, dbus-send
#                    a real Secret Service on a private session bus, which the keychain tests
#                    start (the developer's own keychain is never used)
set -euo pipefail

need_apt=()
command -v git >/dev/null 2>&1 || need_apt+=(git)
command -v python3 >/dev/null 2>&1 || need_apt+=(python3)
command -v zip >/dev/null 2>&1 || need_apt+=(zip)
python3 -m pip --version >/dev/null 2>&1 || need_apt+=(python3-pip)
command -v npm >/dev/null 2>&1 || need_apt+=(nodejs npm)
if [ "$(uname -s)" = Linux ]; then
  command -v gnome-keyring-daemon >/dev/null 2>&1 || need_apt+=(gnome-keyring)
  command -v dbus-daemon >/dev/null 2>&1 || need_apt+=(dbus-daemon)
  command -v dbus-send >/dev/null 2>&1 || need_apt+=(dbus-bin)
fi

if ((${#need_apt[@]})); then
  if command -v apt-get >/dev/null 2>&1; then
    SUDO=""
    [ "$(id -u)" -eq 0 ] || SUDO="sudo"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need_apt[@]}"
  else
    echo "install-test-deps: please install: ${need_apt[*]}" >&2
    exit 1
  fi
fi

if ! python3 -c 'import moto.server, flask, flask_cors' >/dev/null 2>&1; then
  python3 -m pip install --quiet 'moto[server]' ||
    python3 -m pip install --quiet --break-system-packages 'moto[server]'
fi
