#!/usr/bin/env bash
# Compare `guidebook build` of one edition with the Typst CLI compiling the very same
# Typst sources (emitted with --emit-typ), with the same fonts, on the same machine.
#
#   benches/compare-typst-cli.sh [EDITION] [RUNS]      (defaults: trade, 5)
#
# Needs the Typst CLI of the same version as the embedded compiler (0.15.1):
#   cargo install typst-cli --version 0.15.1 --locked
# Prints the median wall time of each and the ratio guidebook / typst-cli.
set -euo pipefail
cd "$(dirname "$0")/.."
edition=${1:-trade}
runs=${2:-5}
typst=${TYPST:-typst}
if ! command -v "$typst" >/dev/null; then
  echo "no Typst CLI found; install it with: cargo install typst-cli --version 0.15.1 --locked" >&2
  exit 1
fi
"$typst" --version
cargo build --release --quiet
export SOURCE_DATE_EPOCH=1767225600
bin="${CARGO_TARGET_DIR:-target}/release/guidebook"
work=out/bench-compare
rm -rf "$work"
mkdir -p "$work"
"$bin" build --edition "$edition" --out "$work" --emit-typ "$work/typ" >/dev/null

# Median of the wall times (in ms) of running the command $runs times, after one warm-up.
median_ms() {
  "$@" >/dev/null 2>&1
  for _ in $(seq "$runs"); do
    local start end
    start=$(date +%s%N)
    "$@" >/dev/null 2>&1
    end=$(date +%s%N)
    echo $(((end - start) / 1000000))
  done | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'
}

# The plain PDF 1.7 editions (trade) compile with no --pdf-standard; PDF/A editions need it.
standard=()
case "$edition" in
  screen) standard=(--pdf-standard a-2b,ua-1) ;;
  pocket|atlas) standard=(--pdf-standard a-2b) ;;
esac

# The PDF only (no EPUB, which `screen` also asks for): the same work the Typst CLI does, plus
# what a print edition adds (PDF/X, the cover, the preflight check).
ours=$(median_ms "$bin" build --edition "$edition" --format pdf --out "$work")
theirs=$(median_ms "$typst" compile --root "$work/typ/$edition" --font-path fonts --ignore-system-fonts \
  "${standard[@]}" "$work/typ/$edition/gen/book.typ" "$work/typst-cli-$edition.pdf")
if [[ ! -s "$work/typst-cli-$edition.pdf" ]]; then
  echo "the Typst CLI did not produce a PDF:" >&2
  "$typst" compile --root "$work/typ/$edition" --font-path fonts --ignore-system-fonts "${standard[@]}" \
    "$work/typ/$edition/gen/book.typ" "$work/typst-cli-$edition.pdf" >&2
  exit 1
fi
pages=$(python3 -c "import re,sys; d=open(sys.argv[1],'rb').read(); print(len(re.findall(rb'/Type\s*/Page[^s]', d)))" "$work/typst-cli-$edition.pdf" 2>/dev/null || echo "?")
echo "edition $edition ($pages pages), median of $runs runs:"
echo "  guidebook build  ${ours} ms (load, render, compile, export, write)"
echo "  typst compile    ${theirs} ms (compile and export the emitted sources)"
awk -v a="$ours" -v b="$theirs" 'BEGIN { printf "  ratio guidebook / typst-cli = %.2f\n", a / b }'
