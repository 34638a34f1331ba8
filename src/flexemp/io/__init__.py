"""Reading raw exports and writing data files.

- :mod:`flexemp.io.readers` — ``read_data`` and one reader per format, returning ``RawData``;
- :mod:`flexemp.io.wjx` — 问卷星 exports (versions, question grouping, 所用时间);
- :mod:`flexemp.io.writers` — ``write_data``, ``write_chunks``, ``ParquetStreamWriter``.

The names are importable from here too; the modules load on first use.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

_EXPORTS: dict[str, str] = {
    "RawData": "flexemp.io.readers",
    "read_data": "flexemp.io.readers",
    "read_csv": "flexemp.io.readers",
    "read_xlsx": "flexemp.io.readers",
    "read_sav": "flexemp.io.readers",
    "read_dta": "flexemp.io.readers",
    "read_parquet": "flexemp.io.readers",
    "write_data": "flexemp.io.writers",
    "write_chunks": "flexemp.io.writers",
    "ParquetStreamWriter": "flexemp.io.writers",
    "WriteError": "flexemp.io.writers",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'flexemp.io' has no attribute {name!r}")


def __dir__() -> list[str]:
    return __all__
