"""Read a data file for analysis: numbers become numbers.

Readers keep a CSV's cells as text (so ingest can report the exact raw
value); for modelling, a column whose every non-empty cell is a number is
converted to float, and other columns are kept as text.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd


def read_analysis_data(path: str | Path, *, encoding: str | None = None, sheet: str | None = None) -> pd.DataFrame:
    """Read ``path`` (CSV, XLSX, SAV, DTA, Parquet) with numeric columns as numbers.

    Parameters
    ----------
    path : str or Path
    encoding, sheet : optional
        As for :func:`flexemp.read_data`.

    Returns
    -------
    pandas.DataFrame

    Raises
    ------
    ReadError
        When the file cannot be read.
    """
    from flexemp.io.readers import read_data

    frame = read_data(path, encoding=encoding, sheet=sheet).frame.copy()
    for col in frame.columns:
        s = frame[col]
        if pd.api.types.is_numeric_dtype(s) or pd.api.types.is_bool_dtype(s):
            continue
        text = s.astype("string").str.strip()
        present = text.notna() & (text != "")
        num = pd.to_numeric(text.where(present), errors="coerce")
        if present.any() and num[present].notna().all():
            frame[col] = num.astype("float64")
    return frame
