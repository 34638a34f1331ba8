"""Make the CJK font shipped with flexemp: a subset of Noto Sans CJK SC, renamed.

The subset covers ASCII, Latin-1, General Punctuation, CJK Symbols and
Punctuation, Halfwidth and Fullwidth Forms, every hanzi of GB2312 (found by
encoding each code point of the CJK Unified Ideographs block with Python's
``gb2312`` codec, no hand lists), every character of the embedded codebooks
(``src/flexemp/synth/codebooks/*.yaml``) and every character of the text files
given with ``--text`` (the seed documents).

The family is renamed "Flexemp Sans CJK" (the SIL OFL 1.1 Reserved Font Name
rule: a modified version must not be presented under the original's primary
name).  The licence text is copied next to the font.

Usage (the command that made the shipped file, see src/flexemp/present/fonts/README.md)::

    .venv/bin/python tools/subset_font.py \
        --source /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc \
        --text /work/shared/seeds/*.txt
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTCollection, TTFont

ROOT = Path(__file__).resolve().parent.parent
OUT_DIR = ROOT / "src" / "flexemp" / "present" / "fonts"
OUT_NAME = "FlexempSansCJK-Regular.otf"
FAMILY = "Flexemp Sans CJK"
PS_NAME = "FlexempSansCJK-Regular"
DEBIAN_COPYRIGHT = Path("/usr/share/doc/fonts-noto-cjk/copyright")

RANGES = (
    (0x0020, 0x007E),  # ASCII
    (0x00A0, 0x00FF),  # Latin-1 Supplement
    (0x2000, 0x206F),  # General Punctuation
    (0x3000, 0x303F),  # CJK Symbols and Punctuation
    (0xFF00, 0xFFEF),  # Halfwidth and Fullwidth Forms
)
# Extra signs used in tables and charts: × − ≤ ≥ ± (Latin-1 has ± ×), minus, arrows.
EXTRA = "−≤≥≈≠√∑…→←↑↓①②③④⑤⑥⑦⑧⑨⑩"


def gb2312_hanzi() -> set[int]:
    """Code points of the CJK Unified Ideographs block that GB2312 can encode (6,763 hanzi)."""
    out = set()
    for cp in range(0x4E00, 0xA000):
        try:
            chr(cp).encode("gb2312")
        except UnicodeEncodeError:
            continue
        out.add(cp)
    return out


def text_chars(paths: list[Path]) -> set[int]:
    """Every printable code point used in these text files."""
    out: set[int] = set()
    for p in paths:
        out.update(ord(c) for c in p.read_text(encoding="utf-8") if c.isprintable())
    return out


def wanted_codepoints(texts: list[Path]) -> set[int]:
    """The code points the subset must cover."""
    cps = {cp for lo, hi in RANGES for cp in range(lo, hi + 1)}
    cps |= {ord(c) for c in EXTRA}
    cps |= gb2312_hanzi()
    codebooks = sorted((ROOT / "src" / "flexemp" / "synth" / "codebooks").glob("*.yaml"))
    cps |= text_chars([*codebooks, *texts])
    return cps


def pick_face(source: Path, face: str) -> TTFont:
    """Open ``source``; for a collection (.ttc) pick the face whose family name is ``face``."""
    if source.suffix.lower() != ".ttc":
        return TTFont(source)
    coll = TTCollection(source, lazy=True)
    names = [f["name"].getDebugName(1) for f in coll.fonts]
    if face not in names:
        raise SystemExit(f"no face {face!r} in {source}; faces: {names}")
    return TTFont(source, fontNumber=names.index(face))


def rename(font: TTFont) -> None:
    """Give the subset its own family name (OFL Reserved Font Name rule) and keep the credits."""
    name = font["name"]
    version = name.getDebugName(5) or ""
    new = {
        1: FAMILY,
        3: f"{PS_NAME};subset of Noto Sans CJK SC {version}",
        4: f"{FAMILY} Regular",
        6: PS_NAME,
        16: FAMILY,
        17: "Regular",
    }
    for rec in list(name.names):
        if rec.nameID in new or rec.nameID in (21, 22):
            name.removeNames(nameID=rec.nameID)
    for nid, value in new.items():
        name.setName(value, nid, 3, 1, 0x409)
        name.setName(value, nid, 1, 0, 0)
    old = name.getDebugName(0) or ""
    name.removeNames(nameID=0)
    note = f"{old} Subset and renamed for flexemp from Noto Sans CJK SC (SIL OFL 1.1)."
    name.setName(note, 0, 3, 1, 0x409)
    if "CFF " in font:
        cff = font["CFF "].cff
        cff.fontNames = [PS_NAME]
        top = cff.topDictIndex[0]
        top.FullName = f"{FAMILY} Regular"
        top.FamilyName = FAMILY


def licence_text() -> str:
    """The SIL OFL 1.1 text from the Debian copyright file, unindented."""
    text = DEBIAN_COPYRIGHT.read_text(encoding="utf-8")
    m = re.search(r"^License: SIL-1\.1\n((?: .*\n)+)", text, flags=re.M)
    if not m:
        raise SystemExit(f"the SIL OFL 1.1 text is not in {DEBIAN_COPYRIGHT}")
    lines = [ln[1:] for ln in m.group(1).splitlines()]
    return "\n".join("" if ln == "." else ln for ln in lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Write the subset font and its licence into ``src/flexemp/present/fonts``."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument(
        "--source",
        type=Path,
        default=Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"),
    )
    ap.add_argument("--face", default="Noto Sans CJK SC")
    ap.add_argument(
        "--text",
        type=Path,
        nargs="*",
        default=[],
        help="text files whose characters must be covered",
    )
    ap.add_argument("--out-dir", type=Path, default=OUT_DIR)
    args = ap.parse_args(argv)

    font = pick_face(args.source, args.face)
    cmap = font.getBestCmap()
    wanted = wanted_codepoints(args.text)
    have = sorted(cp for cp in wanted if cp in cmap)
    absent = sorted(
        cp for cp in wanted if cp not in cmap and chr(cp).isprintable() and not chr(cp).isspace()
    )
    opts = subset.Options()
    opts.layout_features = ["kern", "palt", "locl", "vert", "liga", "ccmp"]
    opts.name_IDs = ["*"]
    opts.name_languages = ["*"]
    opts.notdef_outline = True
    opts.recalc_bounds = True
    opts.drop_tables += ["VORG", "vhea", "vmtx", "BASE"]
    sub = subset.Subsetter(opts)
    sub.populate(unicodes=have)
    sub.subset(font)
    rename(font)
    args.out_dir.mkdir(parents=True, exist_ok=True)
    out = args.out_dir / OUT_NAME
    font.save(out)
    (args.out_dir / "OFL.txt").write_text(
        "Flexemp Sans CJK is a subset of Noto Sans CJK SC.\n"
        "Copyright © 2014-2021 Adobe (http://www.adobe.com/), with Reserved Font Name 'Source'.\n"
        "Noto is a trademark of Google Inc.\n\n" + licence_text(),
        encoding="utf-8",
    )
    print(f"wrote {out} ({out.stat().st_size / 1e6:.2f} MB, {len(have)} characters)")
    if absent:
        shown = "".join(chr(cp) for cp in absent[:40])
        print(f"{len(absent)} wanted characters are not in the source font: {shown}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
