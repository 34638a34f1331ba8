"""Presentation: labels, tables and reports built from results (nothing in the API imports this)."""
