"""Turn results into plain JSON-ready data (one function for the API and the CLI)."""

from __future__ import annotations

import math
from typing import Any


def to_jsonable(obj: Any) -> Any:
    """Recursively convert NumPy scalars, timestamps, tuples and non-finite floats for ``json.dumps``.

    Non-finite floats become ``None``; dict keys become text; NumPy scalars become Python
    numbers; objects with ``isoformat`` (timestamps, dates) become ISO text.

    Examples
    --------
    >>> import numpy as np
    >>> to_jsonable({1: (np.float64(2.5), float("nan"))})
    {'1': [2.5, None]}
    """
    if isinstance(obj, float) and not math.isfinite(obj):
        return None
    if isinstance(obj, dict):
        return {str(k): to_jsonable(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [to_jsonable(v) for v in obj]
    if hasattr(obj, "item") and not isinstance(obj, str):
        try:
            return to_jsonable(obj.item())
        except (ValueError, AttributeError):
            return str(obj)
    if hasattr(obj, "isoformat") and not isinstance(obj, str):
        return obj.isoformat()
    return obj
