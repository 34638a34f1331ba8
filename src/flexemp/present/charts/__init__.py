"""Charts: one model (:mod:`.model`), static PNG/SVG and interactive HTML renderers."""

from flexemp.present.charts.model import Chart, Series

__all__ = ["Chart", "Series"]
