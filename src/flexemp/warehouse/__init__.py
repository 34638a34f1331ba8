"""The DuckDB warehouse: waves, raw files, provenance, screenings."""
