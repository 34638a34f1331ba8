"""Charts: one model (:mod:`.model`), static PNG/SVG and interactive HTML renderers, builders.

The static renderers import matplotlib lazily (on first use), so importing this
package stays cheap.
"""

from flexemp.present.charts.builders import (
    coefficient_chart,
    distribution_chart,
    index_chart,
    multiselect_chart,
    sample_vs_census_chart,
)
from flexemp.present.charts.fonts import check_glyphs, cjk_font, require_glyphs
from flexemp.present.charts.interactive import CHART_CSS, CHART_JS, render_html
from flexemp.present.charts.model import Chart, Series
from flexemp.present.charts.static import render_png, render_svg

__all__ = [
    "CHART_CSS",
    "CHART_JS",
    "Chart",
    "Series",
    "check_glyphs",
    "cjk_font",
    "coefficient_chart",
    "distribution_chart",
    "index_chart",
    "multiselect_chart",
    "render_html",
    "render_png",
    "render_svg",
    "require_glyphs",
    "sample_vs_census_chart",
]
