"""YAML loading that remembers where each mapping starts, for line-numbered error messages."""

from __future__ import annotations

from typing import Any

import yaml


class LineDict(dict):  # type: ignore[type-arg]
    """A dict that remembers the YAML line (1-based) it started on."""

    line: int = 0


class _LineLoader(yaml.SafeLoader):
    pass


def _construct_mapping(loader: yaml.SafeLoader, node: yaml.MappingNode) -> LineDict:
    d = LineDict(loader.construct_mapping(node, deep=True))
    d.line = node.start_mark.line + 1
    return d


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def load_with_lines(text: str) -> Any:
    """Parse YAML safely; every mapping is a :class:`LineDict` carrying its line.

    Raises
    ------
    yaml.YAMLError
        As ``yaml.safe_load`` does.
    """
    return yaml.load(text, Loader=_LineLoader)


def line_suffix(obj: Any) -> str:
    """``" (line N)"`` for a mapping loaded by :func:`load_with_lines`, else ``""``."""
    return f" (line {obj.line})" if isinstance(obj, LineDict) and obj.line else ""
