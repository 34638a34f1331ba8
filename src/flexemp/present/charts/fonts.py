"""The CJK font used by the static chart renderers, and the check that it has every glyph.

flexemp ships a subset of Noto Sans CJK SC, renamed "Flexemp Sans CJK"
(``flexemp/present/fonts/``, SIL OFL 1.1), so that charts look the same on
every machine, including a fresh one without any Chinese font.  The environment
variable ``FLEXEMP_CJK_FONT`` (a path to a .ttf/.otf/.ttc file) overrides it.

Renderers call :func:`require_glyphs` on every text they draw: a character the
font lacks raises :class:`~flexemp.core.errors.MissingGlyphError` naming the
characters, instead of matplotlib's silent "Glyph ... missing from font" box.

Examples
--------
>>> cjk_font().name
'FlexempSansCJK-Regular.otf'
>>> check_glyphs("劳动合同 2024")
''
>>> check_glyphs("𠀀")  # CJK Extension B, outside the subset
'𠀀'
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

from flexemp.core.errors import FontNotFoundError, MissingGlyphError

ENV_VAR = "FLEXEMP_CJK_FONT"
SHIPPED_FONT = Path(__file__).resolve().parent.parent / "fonts" / "FlexempSansCJK-Regular.otf"
#: Font families the HTML charts ask the browser for, in order.
CSS_FONT_FAMILY = (
    '"Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", "PingFang SC", '
    '"WenQuanYi Micro Hei", sans-serif'
)

_HOW_TO_FIX = (
    f"Set {ENV_VAR} to the path of a font with Chinese glyphs, for example "
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc (Debian/Ubuntu: "
    "apt-get install fonts-noto-cjk) or C:\\Windows\\Fonts\\msyh.ttc, "
    "or reinstall flexemp (the shipped font is missing)."
)


def cjk_font() -> Path:
    """Path of the CJK font the static charts use.

    Returns
    -------
    pathlib.Path
        ``$FLEXEMP_CJK_FONT`` when set, else the shipped subset font.

    Raises
    ------
    FontNotFoundError
        The chosen file does not exist or is not a font FreeType can load; the
        message says how to fix it.

    Examples
    --------
    >>> cjk_font().suffix
    '.otf'
    """
    env = os.environ.get(ENV_VAR, "").strip()
    path = Path(env).expanduser() if env else SHIPPED_FONT
    source = f"{ENV_VAR}={env!r}" if env else "the font shipped with flexemp"
    if not path.is_file():
        raise FontNotFoundError(f"CJK font not found: {path} ({source}). {_HOW_TO_FIX}")
    _cmap(str(path), path.stat().st_mtime_ns)  # loads it once: raises if not a font
    return path


@lru_cache(maxsize=8)
def _cmap(path: str, mtime_ns: int) -> frozenset[int]:
    """Code points the font maps (cached per path and modification time)."""
    from matplotlib import ft2font

    try:
        face = ft2font.FT2Font(path)
    except (RuntimeError, OSError, ValueError) as exc:
        raise FontNotFoundError(f"cannot load the CJK font {path}: {exc}. {_HOW_TO_FIX}") from None
    return frozenset(face.get_charmap())


def check_glyphs(text: str, font: Path | None = None) -> str:
    """The characters of ``text`` that the font lacks (each once, in order of appearance).

    Whitespace and control characters are ignored (they need no glyph).

    Parameters
    ----------
    text : str
        Any text to be drawn.
    font : pathlib.Path, optional
        The font file; default :func:`cjk_font`.

    Returns
    -------
    str
        The missing characters, ``""`` when the font covers all of ``text``.

    Raises
    ------
    FontNotFoundError
        The font cannot be found or loaded.

    Examples
    --------
    >>> check_glyphs("样本与普查 sample vs census")
    ''
    """
    path = font or cjk_font()
    cmap = _cmap(str(path), path.stat().st_mtime_ns)
    seen: dict[str, None] = {}
    for ch in text:
        if ch.isprintable() and not ch.isspace() and ord(ch) not in cmap:
            seen.setdefault(ch, None)
    return "".join(seen)


def require_glyphs(texts: list[str] | tuple[str, ...], font: Path | None = None) -> None:
    """Raise when the font lacks a character of any of ``texts`` (names the characters).

    Raises
    ------
    MissingGlyphError
        Some characters have no glyph; the message lists them (with their code
        points) and says how to use a fuller font.

    Examples
    --------
    >>> require_glyphs(["标题", "title"])
    >>> require_glyphs(["𠀀"])
    Traceback (most recent call last):
    ...
    flexemp.core.errors.MissingGlyphError: the font FlexempSansCJK-Regular.otf has no glyph for 1 character(s): '𠀀' (U+20000) ...
    """
    path = font or cjk_font()
    missing = check_glyphs("".join(texts), path)
    if missing:
        shown = ", ".join(f"{c!r} (U+{ord(c):04X})" for c in missing[:20])
        more = f" and {len(missing) - 20} more" if len(missing) > 20 else ""
        raise MissingGlyphError(
            f"the font {path.name} has no glyph for {len(missing)} character(s): {shown}{more} ... "
            f"they would be drawn as empty boxes. Replace them in the labels, or set {ENV_VAR} "
            "to a fuller CJK font (e.g. the full NotoSansCJK-Regular.ttc).",
            missing,
        )
