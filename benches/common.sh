# Sourced by the benchmark scripts in benches/: the shared preamble. It moves to the repository
# root, sets N (first argument, default 1,000), installs the tools named in BENCH_TOOLS (hyperfine
# always) from Debian's packages when missing, finds the corpus generator (GEN), picks the
# binary (BIN: $SKILLMEAT_BIN, else a fresh release build), makes a temp folder (WORK, removed on
# exit) and generates the corpus of N artifacts in $WORK/corpus.
cd "$(dirname "${BASH_SOURCE[0]}")/.."
N="${1:-1000}"

missing=()
for tool in hyperfine ${BENCH_TOOLS:-}; do
  command -v "$tool" >/dev/null 2>&1 || missing+=("$tool")
done
if ((${#missing[@]})); then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}"
fi
GEN=../shared/bench/gen_corpus.py
[ -f "$GEN" ] || GEN=benches/gen_corpus.py

if [ -n "${SKILLMEAT_BIN:-}" ]; then
  BIN="$SKILLMEAT_BIN"
else
  cargo build --release --locked -q -p skillmeat
  BIN="$PWD/target/release/skillmeat"
fi
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
mkdir -p benches/out
python3 "$GEN" "$WORK/corpus" -n "$N" >/dev/null
echo "corpus: $N artifacts, $(du -sh "$WORK/corpus" | cut -f1), $(find "$WORK/corpus" -type f | wc -l) files"
