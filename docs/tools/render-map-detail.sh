#!/usr/bin/env bash
# Render a detail of a generated map as a PNG for chapters/images/ (the book's own figure,
# drawn from its own data, printed through the ordinary image path).
#
# Usage: docs/tools/render-map-detail.sh MAP-ID X Y WIDTH HEIGHT PPI OUT.png
#   X, Y, WIDTH, HEIGHT: the part of the map's SVG to keep, in its user units (millimetres).
# Example (inset B, Lüshun, of the Dalian–Lüshun route map):
#   docs/tools/render-map-detail.sh map-itinerary-dalian 81.5 102.2 78.5 48.67 400 \
#       chapters/images/dalian-lushun-route-detail.png
# Needs the typst CLI (the same version as the typst crate) on PATH, and Python with Pillow.
set -euo pipefail
id=$1 x=$2 y=$3 w=$4 h=$5 ppi=$6 out=$7
root=$(cd "$(dirname "$0")/../.." && pwd)
case $out in /*) ;; *) out=$PWD/$out ;; esac
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$root" && SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-1767225600} \
    cargo run --release --quiet -- build --format pdf --out "$work/out" --emit-typ "$work/typ" >/dev/null)
svg=$(find "$work/typ" -path "*/gen/figures/$id.svg" | head -n 1)
# Keep the detail by narrowing the SVG's viewBox (one user unit is one millimetre).
sed -E "0,/viewBox=\"[^\"]*\" width=\"[^\"]*\" height=\"[^\"]*\"/s//viewBox=\"$x $y $w $h\" width=\"${w}mm\" height=\"${h}mm\"/" \
    "$svg" > "$work/map.svg"
cat > "$work/detail.typ" <<TYP
#set page(width: ${w}mm, height: ${h}mm, margin: 0pt)
#image("map.svg")
TYP
typst compile --root "$work" --font-path "$root/fonts" --ignore-system-fonts \
    --format png --ppi "$ppi" "$work/detail.typ" "$work/detail.png"
# Typst writes RGBA; the map is opaque, so flatten it to RGB (no soft mask in the PDFs).
python3 - "$work/detail.png" "$out" <<'PY'
import sys
from PIL import Image
image = Image.open(sys.argv[1])
flat = Image.new("RGB", image.size, "white")
flat.paste(image, mask=image.getchannel("A"))
flat.save(sys.argv[2], optimize=True)
PY
echo "wrote $out"
