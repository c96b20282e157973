#!/usr/bin/env python3
"""Rebuild the Simplified Chinese font subsets in this folder.

Source: Noto Serif CJK and Noto Sans CJK (SIL Open Font License 1.1), as shipped by
Debian's `fonts-noto-cjk` package (/usr/share/fonts/opentype/noto/*.ttc, face 2 = SC).
Kept: every character of GB 2312 (the 6,763 hanzi of levels 1 and 2 plus its symbols),
CJK symbols and punctuation, full-width forms, Latin-1, general punctuation, arrows,
mathematical operators and geometric shapes, plus every character used anywhere in
chapters/ (so rarer or traditional characters in the book are covered). That covers modern
Simplified Chinese text while keeping the folder small. When a build reports a character
that no font has, run this script again.

Usage: pip install fonttools && python3 fonts/subset-cjk.py
"""
from pathlib import Path
import unicodedata

from fontTools import subset
from fontTools.ttLib import TTCollection

SOURCE = Path("/usr/share/fonts/opentype/noto")
HERE = Path(__file__).resolve().parent
CONTENT = HERE.parent / "chapters"
SC_FACE = 2  # index of the Simplified Chinese face inside the Noto CJK collections


def gb2312_codepoints():
    """Every character GB 2312 encodes, decoded from its two-byte table."""
    points = set()
    for hi in range(0xA1, 0xF8):
        for lo in range(0xA1, 0xFF):
            try:
                points.add(ord(bytes([hi, lo]).decode("gb2312")))
            except UnicodeDecodeError:
                pass
    return points


def wanted_codepoints():
    points = gb2312_codepoints()
    for lo, hi in [(0x20, 0x7E), (0xA0, 0xFF), (0x2000, 0x206F), (0x3000, 0x303F),
                   (0xFF00, 0xFFEF), (0x2E80, 0x2EFF), (0x2190, 0x21FF), (0x2200, 0x22FF),
                   (0x25A0, 0x25FF), (0x2600, 0x26FF)]:
        points.update(range(lo, hi + 1))
    for path in sorted(CONTENT.rglob("*")):
        if path.suffix in {".md", ".toml", ".yml", ".yaml"}:
            points.update(ord(c) for c in path.read_text(encoding="utf-8")
                          if unicodedata.category(c) not in {"Cc", "Zs"})
    return points


def main():
    unicodes = wanted_codepoints()
    for family in ["Serif", "Sans"]:
        for weight in ["Regular", "Bold"]:
            collection = TTCollection(str(SOURCE / f"Noto{family}CJK-{weight}.ttc"))
            font = collection.fonts[SC_FACE]
            options = subset.Options()
            options.layout_features = ["*"]
            options.name_IDs = ["*"]
            options.name_languages = ["*"]
            options.notdef_outline = True
            options.hinting = False
            subsetter = subset.Subsetter(options)
            subsetter.populate(unicodes=unicodes)
            subsetter.subset(font)
            out = HERE / f"Noto{family}SC-{weight}-subset.otf"
            font.save(str(out))
            print(f"{out.name}: {out.stat().st_size // 1024} KiB")


if __name__ == "__main__":
    main()
