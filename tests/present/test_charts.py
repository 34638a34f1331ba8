"""Charts: the shipped CJK font (coverage checked by rendering glyphs), PNG/SVG and HTML renderers."""

from __future__ import annotations

import doctest
import importlib
import io
import re
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pytest
import yaml
from fontTools.ttLib import TTFont
from PIL import Image

from flexemp.core.errors import FontNotFoundError, MissingGlyphError, UnsupportedOptionError
from flexemp.present.charts import (
    CHART_CSS,
    CHART_JS,
    Chart,
    Series,
    check_glyphs,
    cjk_font,
    render_html,
    render_png,
    render_svg,
)
from flexemp.present.charts.fonts import SHIPPED_FONT

RARE = "\U00020000"  # 𠀀, CJK Extension B: not in GB2312, not in the subset
CODEBOOKS = Path(__file__).resolve().parents[2] / "src" / "flexemp" / "synth" / "codebooks"

CHARTS = {
    "bar": Chart(
        key="bar",
        kind="bar",
        title="性别分布：样本与普查",
        categories=("男", "女"),
        series=(Series("样本", (0.69, 0.31)), Series("普查", (0.51, 0.49))),
        percent=True,
        y_label="占比",
        note="普查为第七次人口普查。",
    ),
    "hbar": Chart(
        key="hbar",
        kind="hbar",
        title="平台类型（多选）",
        categories=("外卖配送", "网约车", "快递", "直播带货"),
        series=(Series("", (0.52, 0.31, 0.2, 0.05)),),
        percent=True,
    ),
    "coef": Chart(
        key="coef",
        kind="coef",
        title="劳动合同对生活满意度的影响",
        categories=("劳动合同", "自有住房", "年龄"),
        series=(Series("OLS", (0.21, -0.05, 0.01), (0.1, -0.15, -0.01), (0.32, 0.05, 0.03)),),
        reference=0.0,
        x_label="系数（95% CI）",
    ),
    "line": Chart(
        key="line",
        kind="line",
        title="灵活就业景气指数",
        categories=("2024Q1", "2024Q2", "2024Q3"),
        series=(
            Series("全体", (48.2, 51.0, 53.4), (46.0, 49.0, 51.0), (50.4, 53.0, 55.8)),
            Series("骑手", (45.0, None, 50.0), (43.0, None, 48.0), (47.0, None, 52.0)),
        ),
        reference=50.0,
        y_label="指数",
    ),
}


# --- the font -------------------------------------------------------------------------------


def test_shipped_font_is_small_renamed_and_licensed():
    assert SHIPPED_FONT.is_file()
    assert SHIPPED_FONT.stat().st_size < 4_000_000
    font = TTFont(SHIPPED_FONT, lazy=True)
    assert font["name"].getDebugName(1) == "Flexemp Sans CJK"  # OFL Reserved Font Name rule
    assert "Noto" not in font["name"].getDebugName(4)
    licence = (SHIPPED_FONT.parent / "OFL.txt").read_text(encoding="utf-8")
    assert "SIL OPEN FONT LICENSE Version 1.1" in licence


def test_font_covers_gb2312_and_the_codebooks():
    gb = []
    for cp in range(0x4E00, 0xA000):
        try:
            chr(cp).encode("gb2312")
        except UnicodeEncodeError:
            continue
        gb.append(chr(cp))
    assert len(gb) == 6763  # GB2312 level 1 + level 2 hanzi
    assert check_glyphs("".join(gb)) == ""
    text = "".join(p.read_text(encoding="utf-8") for p in sorted(CODEBOOKS.glob("*.yaml")))
    yaml.safe_load_all(io.StringIO(text))
    assert check_glyphs(text) == ""
    assert check_glyphs("，。：；（）《》“”、—…％＋①") == ""


def _glyph_bitmap(face, glyph) -> np.ndarray:
    img = np.zeros((80, 80), np.uint8)
    face.draw_glyph_to_bitmap(img, 8, 8, glyph)
    return img


def test_chinese_renders_as_distinct_glyphs_not_tofu():
    from matplotlib import ft2font

    face = ft2font.FT2Font(str(cjk_font()))
    face.set_size(48, 72)
    notdef = _glyph_bitmap(face, face.load_glyph(0))
    assert notdef.any()  # the .notdef box has ink, so "equal to it" is detectable

    def render(ch: str) -> np.ndarray:  # what a renderer draws for ch: its glyph, or .notdef (0)
        return _glyph_bitmap(face, face.load_glyph(face.get_char_index(ord(ch))))

    # the check can fail: a character outside the font renders exactly as .notdef
    assert np.array_equal(render(RARE), notdef)
    maps = [render(c) for c in "劳动合同"]
    for i, a in enumerate(maps):
        assert a.sum() > 0
        assert not np.array_equal(a, notdef)
        for b in maps[i + 1 :]:
            assert not np.array_equal(a, b)


def test_character_outside_the_subset_is_refused(tmp_path):
    assert check_glyphs(f"劳动{RARE}合同{RARE}") == RARE
    chart = Chart(
        key="x", kind="hbar", title=f"标题{RARE}", categories=("甲",), series=(Series("", (1.0,)),)
    )
    out = tmp_path / "x.png"
    with pytest.raises(MissingGlyphError, match="U\\+20000") as exc:
        render_png(chart, out)
    assert exc.value.missing == RARE
    assert "FLEXEMP_CJK_FONT" in str(exc.value)
    assert not out.exists()
    with pytest.raises(MissingGlyphError):
        render_svg(chart, tmp_path / "x.svg")


def test_env_override_and_bad_paths(tmp_path, monkeypatch):
    copy = tmp_path / "other.otf"
    shutil.copyfile(SHIPPED_FONT, copy)
    monkeypatch.setenv("FLEXEMP_CJK_FONT", str(copy))
    assert cjk_font() == copy
    render_png(CHARTS["hbar"], tmp_path / "ok.png", dpi=30)
    monkeypatch.setenv("FLEXEMP_CJK_FONT", str(tmp_path / "nope.ttf"))
    with pytest.raises(FontNotFoundError, match="FLEXEMP_CJK_FONT") as exc:
        cjk_font()
    assert "fonts-noto-cjk" in str(exc.value)
    with pytest.raises(FontNotFoundError):
        render_png(CHARTS["bar"], tmp_path / "no.png")
    junk = tmp_path / "junk.ttf"
    junk.write_text("not a font", encoding="utf-8")
    monkeypatch.setenv("FLEXEMP_CJK_FONT", str(junk))
    with pytest.raises(FontNotFoundError, match="cannot load"):
        cjk_font()
    monkeypatch.delenv("FLEXEMP_CJK_FONT")
    assert cjk_font() == SHIPPED_FONT


# --- static ---------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", sorted(CHARTS))
def test_static_png_and_svg(kind, tmp_path):
    chart = CHARTS[kind]
    png = render_png(chart, tmp_path / "sub" / f"{kind}.png", dpi=50, size=(6.0, 4.0))
    with Image.open(png) as im:
        im.load()
        assert im.size == (300, 200)
        pixels = np.asarray(im.convert("L"))
    assert pixels.min() < 100  # something dark was drawn
    svg = render_svg(chart, tmp_path / f"{kind}.svg")
    root = ET.parse(svg).getroot()
    assert root.tag.endswith("svg")
    text = svg.read_text(encoding="utf-8")
    assert "<text" not in text  # text drawn as outlines: no font needed to view it
    assert "<path" in text


def test_static_ci_not_containing_the_estimate_and_missing_values(tmp_path):
    # a percentile bootstrap CI need not contain the estimate; missing values are allowed
    coef = Chart(
        key="c",
        kind="coef",
        title="系数",
        categories=("甲", "乙"),
        series=(Series("m", (0.5, None), (0.1, None), (0.3, None)),),
        reference=0.0,
    )
    bar = Chart(
        key="b",
        kind="bar",
        title="占比",
        categories=("甲", "乙"),
        series=(Series("a", (0.3, None), (0.2, None), (0.4, None)),),
        percent=True,
    )
    for chart in (coef, bar):
        assert render_png(chart, tmp_path / f"{chart.key}.png", dpi=30).stat().st_size > 0


def test_png_is_byte_identical_and_text_changes_pixels(tmp_path):
    a = render_png(CHARTS["line"], tmp_path / "a.png", dpi=60).read_bytes()
    b = render_png(CHARTS["line"], tmp_path / "b.png", dpi=60).read_bytes()
    assert a == b
    s1 = render_svg(CHARTS["line"], tmp_path / "a.svg").read_bytes()
    s2 = render_svg(CHARTS["line"], tmp_path / "b.svg").read_bytes()
    assert s1 == s2
    other = Chart(**{**CHARTS["line"].__dict__, "title": "灵活就业景气指标"})
    c = render_png(other, tmp_path / "c.png", dpi=60).read_bytes()
    assert c != a  # one different character in the title gives different pixels


def test_unknown_lang_is_refused(tmp_path):
    with pytest.raises(UnsupportedOptionError, match="zh"):
        render_png(CHARTS["bar"], tmp_path / "x.png", lang="fr")
    with pytest.raises(UnsupportedOptionError):
        render_html(CHARTS["bar"], lang="fr")


# --- interactive ----------------------------------------------------------------------------


def _svg(html: str) -> ET.Element:
    m = re.search(r"<svg\b.*</svg>", html, flags=re.S)
    assert m is not None
    return ET.fromstring(m.group(0))


@pytest.mark.parametrize("kind", sorted(CHARTS))
def test_html_one_mark_per_value(kind):
    chart = CHARTS[kind]
    html = render_html(chart)
    root = _svg(html)
    assert root.get("role") == "img"
    assert root.get("aria-label") == chart.title
    assert root.get("viewBox", "").startswith("0 0 ")
    marks = [e for e in root.iter() if "fx-mark" in (e.get("class") or "").split()]
    expected = [
        (s.name, c, v)
        for s in chart.series
        for c, v in zip(chart.categories, s.values, strict=True)
        if v is not None
    ]
    got = [
        (m.get("data-series"), m.get("data-category"), float(m.get("data-value"))) for m in marks
    ]
    assert got == expected
    for m in marks:
        assert m.find("title") is not None and m.find("title").text
    legend = [e for e in root.iter() if "fx-legend-item" in (e.get("class") or "").split()]
    assert len(legend) == (len(chart.series) if len(chart.series) > 1 else 0)


def test_html_is_offline_and_escapes_labels():
    nasty = 'A<&>"B'
    chart = Chart(
        key="k<1>",
        kind="bar",
        title="标题 <&>",
        categories=(nasty, "乙"),
        series=(Series("s&1", (0.5, 0.25)), Series("s<2>", (0.1, 0.2))),
        percent=True,
        note="注 <b>",
    )
    html = render_html(chart)
    page = html + CHART_JS + CHART_CSS
    assert not re.search(r"https?://", page)
    assert "<b>" not in html and nasty not in html
    root = _svg(html)
    texts = [e.text for e in root.iter("text")]
    assert nasty in texts
    assert root.get("aria-label") == "标题 <&>"
    marks = [e for e in root.iter() if e.get("class") == "fx-mark"]
    assert {m.get("data-series") for m in marks} == {"s&1", "s<2>"}
    assert marks[0].get("data-category") == nasty


def test_html_reference_line_and_ci_attributes():
    root = _svg(render_html(CHARTS["line"], lang="en"))
    assert any(e.text == "reference 50" for e in root.iter("text"))
    refs = [e for e in root.iter("line") if e.get("class") == "fx-ref"]
    assert len(refs) == 1
    first = next(e for e in root.iter("circle") if e.get("class") == "fx-mark")
    assert (float(first.get("data-low")), float(first.get("data-high"))) == (46.0, 50.4)


@pytest.mark.parametrize("module", ["fonts", "static", "interactive", "builders"])
def test_doctests(module):
    mod = importlib.import_module(f"flexemp.present.charts.{module}")
    result = doctest.testmod(mod, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0
    assert result.failed == 0
