#!/usr/bin/env bash
# auto-format — a Claude Code PostToolUse hook.
#
# After Claude edits or writes a file, format that one file with the formatter for
# its language, if that formatter is installed. It never installs or downloads
# anything, never touches other files, and always exits 0 so it can never block
# Claude's work: a missing formatter or a formatting error is just skipped.
#
# Input: the hook event as JSON on stdin; we only read .tool_input.file_path.

set -u

input=$(cat)

# Extract tool_input.file_path with jq, or python3 as a fallback.
if command -v jq >/dev/null 2>&1; then
  file=$(printf '%s' "$input" | jq -r '.tool_input.file_path // empty' 2>/dev/null)
elif command -v python3 >/dev/null 2>&1; then
  file=$(printf '%s' "$input" | python3 -c \
    'import json,sys; print(json.load(sys.stdin).get("tool_input",{}).get("file_path",""))' 2>/dev/null)
else
  exit 0
fi

# Only format an existing regular file (not a symlink, directory or device).
[ -n "${file:-}" ] || exit 0
[ -f "$file" ] && [ ! -L "$file" ] || exit 0
# A name starting with "-" must not be read as an option by a formatter.
case "$file" in -*) file="./$file" ;; esac

has() { command -v "$1" >/dev/null 2>&1; }

run() {
  # Run a formatter quietly; report a failure on stderr but never fail the hook.
  "$@" >/dev/null 2>&1 || echo "auto-format: '$1' could not format $file" >&2
}

# Prefer a project-local prettier; never fetch one with npx.
project_dir=${CLAUDE_PROJECT_DIR:-$PWD}
prettier="$project_dir/node_modules/.bin/prettier"

case "$file" in
  *.js|*.jsx|*.mjs|*.cjs|*.ts|*.tsx|*.json|*.css|*.scss|*.html|*.vue|*.yaml|*.yml|*.md)
    if [ -x "$prettier" ]; then run "$prettier" --write --log-level warn "$file"; fi ;;
  *.rs)
    if has rustfmt; then run rustfmt --edition 2021 "$file"; fi ;;
  *.go)
    if has gofmt; then run gofmt -w "$file"; fi ;;
  *.py)
    if has ruff; then run ruff format --quiet "$file"
    elif has black; then run black --quiet "$file"; fi ;;
  *.sh|*.bash)
    if has shfmt; then run shfmt -w "$file"; fi ;;
esac

exit 0
