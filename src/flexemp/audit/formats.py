"""Reading a transcription of published tables (YAML) with every number kept as printed.

The loader keeps the source text of every YAML integer and float, so ``0.090`` keeps its
three decimals whether or not it is quoted.  Mappings remember their line for error messages.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from flexemp.audit.numbers import Printed, parse_printed, split_stars
from flexemp.core.errors import AuditFormatError
from flexemp.core.yaml_lines import LineDict, line_suffix

KINDS = (
    "regression",
    "descriptive",
    "frequency",
    "banded_mean",
    "diffusion_index",
    "first_stage",
    "difference",
)

TABLE_KEYS: dict[str, set[str]] = {
    "regression": {"basis", "df", "thresholds", "ci_level", "ci_symmetric", "rows"},
    "descriptive": {"n", "rows"},
    "frequency": {"question", "n", "options", "claimed_mean", "claimed_sd"},
    "banded_mean": {"midpoints", "rows"},
    "diffusion_index": {"rows"},
    "first_stage": {"basis", "df", "thresholds", "rows"},
    "difference": {"rows"},
}
ROW_KEYS: dict[str, set[str]] = {
    "regression": {"term", "coef", "se", "t", "p", "stars", "ci_low", "ci_high"},
    "descriptive": {"variable", "mean", "sd", "n", "min", "max", "binary", "integer", "items"},
    "frequency": {"code", "label", "count", "percent"},
    "banded_mean": {"group", "percents", "claimed_mean"},
    "diffusion_index": {"group", "shares", "claimed_index"},
    "first_stage": {"instrument", "coef", "se", "stars", "claimed_f"},
    "difference": {"group", "a", "b", "diff"},
}
LABEL_KEY = {
    "regression": "term",
    "descriptive": "variable",
    "banded_mean": "group",
    "diffusion_index": "group",
    "first_stage": "instrument",
    "difference": "group",
    "frequency": "label",
}
COMMON_KEYS = {"kind", "title", "note", "source"}


class _TextNumberLoader(yaml.SafeLoader):
    """Safe loader that returns YAML ints and floats as their source text."""


def _keep_text(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> str:
    return str(node.value)


def _mapping(loader: yaml.SafeLoader, node: yaml.MappingNode) -> LineDict:
    d = LineDict(loader.construct_mapping(node, deep=True))
    d.line = node.start_mark.line + 1
    return d


_TextNumberLoader.add_constructor("tag:yaml.org,2002:int", _keep_text)
_TextNumberLoader.add_constructor("tag:yaml.org,2002:float", _keep_text)
_TextNumberLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping)


def load_yaml_text(text: str, source: str = "<text>") -> list[dict[str, Any]]:
    """Parse a transcription: a list of tables, or a mapping with a ``tables:`` list.

    Raises
    ------
    AuditFormatError
        If the YAML does not parse or is not a list of tables.
    """
    try:
        doc = yaml.load(text, Loader=_TextNumberLoader)  # a SafeLoader subclass
    except yaml.YAMLError as exc:
        raise AuditFormatError(f"{source}: not valid YAML: {exc}") from None
    if isinstance(doc, dict) and "tables" in doc:
        doc = doc["tables"]
    if not isinstance(doc, list) or not all(isinstance(t, dict) for t in doc):
        raise AuditFormatError(
            f"{source}: expected a list of tables (each a mapping with 'kind:'), "
            "or a mapping with a 'tables:' list"
        )
    return doc


def load_tables(path: str | Path) -> list[dict[str, Any]]:
    """Read a transcription file: YAML (``.yaml``/``.yml``), or CSV/XLSX (see :mod:`flexemp.audit.tabular`).

    Raises
    ------
    AuditFormatError
        If the file is missing, not UTF-8, not YAML, or of an unsupported type.
    """
    p = Path(path)
    if p.suffix.lower() in (".csv", ".xlsx"):
        from flexemp.audit.tabular import load_tabular

        return load_tabular(p)
    if p.suffix.lower() not in (".yaml", ".yml"):
        raise AuditFormatError(
            f"{p}: transcriptions are YAML (.yaml, .yml), CSV or XLSX; see docs/audit.md"
        )
    try:
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise AuditFormatError(f"{p}: file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise AuditFormatError(f"{p}: cannot be read as UTF-8 text ({exc})") from None
    return load_yaml_text(text, str(p))


def table_title(table: dict[str, Any], index: int) -> str:
    """The table's ``title`` (or ``"table N"``)."""
    return str(table.get("title") or f"table {index + 1}")


def check_keys(obj: dict[str, Any], allowed: set[str], where: str) -> None:
    """Refuse unknown keys, naming them and the allowed ones."""
    extra = sorted(set(obj) - allowed)
    if extra:
        raise AuditFormatError(
            f"{where}{line_suffix(obj)}: unknown key(s) {extra}; allowed: {sorted(allowed)}"
        )


def validate_table(table: dict[str, Any], index: int) -> str:
    """Check ``kind`` and the table's keys; return the kind."""
    kind = table.get("kind")
    where = f"table {index + 1} ({table_title(table, index)})"
    if kind not in KINDS:
        raise AuditFormatError(
            f"{where}{line_suffix(table)}: kind must be one of {list(KINDS)}, got {kind!r}"
        )
    check_keys(table, TABLE_KEYS[kind] | COMMON_KEYS, where)
    return str(kind)


def rows_of(table: dict[str, Any], key: str, where: str) -> list[dict[str, Any]]:
    """The list of row mappings under ``key`` (an error if absent or malformed)."""
    rows = table.get(key)
    if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
        raise AuditFormatError(f"{where}{line_suffix(table)}: '{key}' must be a list of mappings")
    return rows


def number(row: dict[str, Any], key: str, where: str) -> Printed | None:
    """The printed number under ``key`` (``None`` if absent or empty)."""
    raw = row.get(key)
    if raw is None or raw == "":
        return None
    return parse_printed(split_stars(raw)[0], f"{where}{line_suffix(row)}, '{key}'")


def integer(row: dict[str, Any], key: str, where: str) -> int | None:
    """A whole number (N, count, items) under ``key``."""
    raw = row.get(key)
    if raw is None:
        return None
    p = parse_printed(raw, f"{where}{line_suffix(row)}, '{key}'")
    if not p.value.is_integer() or p.value < 0:
        raise AuditFormatError(
            f"{where}{line_suffix(row)}: '{key}' must be a whole number, got {raw!r}"
        )
    return int(p.value)


def flag(row: dict[str, Any], key: str, where: str) -> bool:
    """A true/false flag."""
    raw = row.get(key, False)
    if not isinstance(raw, bool):
        raise AuditFormatError(
            f"{where}{line_suffix(row)}: '{key}' must be true or false, got {raw!r}"
        )
    return raw


def stars_of(row: dict[str, Any], where: str, value_key: str = "coef") -> str | None:
    """Stars written in a ``stars`` key or appended to the value (``"0.123***"``); ``None`` if neither."""
    if "stars" in row:
        s = row["stars"]
        if s is None:
            return ""
        if not isinstance(s, str) or set(s) - set("*†+"):
            raise AuditFormatError(
                f'{where}{line_suffix(row)}: \'stars\' must be text such as "***" or ""'
            )
        return s
    return split_stars(row.get(value_key))[1]


def number_list(row: dict[str, Any], key: str, where: str) -> list[Printed]:
    """A list of printed numbers under ``key``."""
    raw = row.get(key)
    if not isinstance(raw, list) or not raw:
        raise AuditFormatError(
            f"{where}{line_suffix(row)}: '{key}' must be a non-empty list of numbers"
        )
    return [parse_printed(v, f"{where}{line_suffix(row)}, '{key}'[{i}]") for i, v in enumerate(raw)]


DIFFUSION_KEYS_DOC = "much_up, little_up, up, same, little_down, much_down, down"
