"""The monitoring dashboard (``flexemp serve``): server-rendered pages over the warehouse, each with a JSON twin."""

from __future__ import annotations

from flexemp.web.data import Dashboard, WaveData, load_dashboard

__all__ = ["Dashboard", "WaveData", "load_dashboard"]
