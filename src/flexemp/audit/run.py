"""Run every applicable check on every row of every transcribed table."""

from __future__ import annotations

from typing import Any

from flexemp.audit import checks_moments as cm
from flexemp.audit import checks_regression as cr
from flexemp.audit.formats import (
    DIFFUSION_KEYS_DOC,
    LABEL_KEY,
    ROW_KEYS,
    check_keys,
    flag,
    integer,
    number,
    number_list,
    rows_of,
    stars_of,
    table_title,
    validate_table,
)
from flexemp.audit.numbers import Printed, parse_printed
from flexemp.audit.result import Check, verdict_of
from flexemp.core.errors import AuditFormatError
from flexemp.core.yaml_lines import line_suffix


def _spec(table: dict[str, Any], where: str) -> cr.RegressionSpec:
    basis = table.get("basis", "z")
    if basis not in ("z", "t"):
        raise AuditFormatError(
            f"{where}{line_suffix(table)}: basis must be 'z' or 't', got {basis!r}"
        )
    df = integer(table, "df", where)
    raw_thr = table.get("thresholds", {"*": 0.10, "**": 0.05, "***": 0.01})
    if not isinstance(raw_thr, dict):
        raise AuditFormatError(
            f"{where}{line_suffix(table)}: thresholds must map stars to p, e.g. {{'*': 0.10}}"
        )
    thr = tuple(
        (str(k), parse_printed(v, f"{where}, thresholds").value) for k, v in raw_thr.items()
    )
    level = number(table, "ci_level", where)
    return cr.RegressionSpec(
        basis=basis, df=df, thresholds=thr, ci_level=0.95 if level is None else level.value
    )


def _row_label(row: dict[str, Any], kind: str, i: int) -> str:
    return str(row.get(LABEL_KEY[kind]) or f"row {i + 1}")


def _numbers(row: dict[str, Any], keys: tuple[str, ...], where: str) -> dict[str, Printed]:
    out = {}
    for k in keys:
        v = number(row, k, where)
        if v is not None:
            out[k] = v
    return out


def audit_regression(table: dict[str, Any], title: str, where: str) -> list[Check]:
    """t, p, stars and CI checks for each row of a regression table."""
    spec = _spec(table, where)
    symmetric = flag(table, "ci_symmetric", where) if "ci_symmetric" in table else True
    out: list[Check] = []
    for i, row in enumerate(rows_of(table, "rows", where)):
        check_keys(row, ROW_KEYS["regression"], where)
        label = _row_label(row, "regression", i)
        v = _numbers(row, ("coef", "se", "t", "p", "ci_low", "ci_high"), where)
        has = set(v)
        if {"coef", "se", "t"} <= has:
            out.append(cr.check_t_ratio(title, label, v))
        if "p" in has and ("t" in has or {"coef", "se"} <= has):
            out.append(cr.check_p_value(title, label, v, spec))
        stars = stars_of(row, where)
        if stars is not None:
            out.append(cr.audit_stars(title, label, v, stars, spec))
        if {"coef", "ci_low", "ci_high"} <= has:
            out.append(cr.check_ci_sign(title, label, v))
            if symmetric:
                out.append(cr.check_ci_centre(title, label, v))
        if {"se", "ci_low", "ci_high"} <= has and symmetric:
            out.append(cr.check_ci_se(title, label, v, spec))
    return out


def audit_first_stage(table: dict[str, Any], title: str, where: str) -> list[Check]:
    """F = t² (and stars) for each single-instrument first stage."""
    spec = _spec(table, where)
    out: list[Check] = []
    for i, row in enumerate(rows_of(table, "rows", where)):
        check_keys(row, ROW_KEYS["first_stage"], where)
        label = _row_label(row, "first_stage", i)
        v = _numbers(row, ("coef", "se", "claimed_f"), where)
        if {"coef", "se", "claimed_f"} <= set(v):
            out.append(cr.check_first_stage_f(title, label, v))
        stars = stars_of(row, where)
        if stars is not None and {"coef", "se"} <= set(v):
            out.append(cr.audit_stars(title, label, v, stars, spec))
    return out


def audit_descriptive(table: dict[str, Any], title: str, where: str) -> list[Check]:
    """Binary SD, GRIM and GRIMMER, and mean within [min, max], for each variable."""
    n_table = integer(table, "n", where)
    out: list[Check] = []
    for i, row in enumerate(rows_of(table, "rows", where)):
        check_keys(row, ROW_KEYS["descriptive"], where)
        label = _row_label(row, "descriptive", i)
        mean, sd = number(row, "mean", where), number(row, "sd", where)
        lo, hi = number(row, "min", where), number(row, "max", where)
        n = integer(row, "n", where) or n_table
        binary = flag(row, "binary", where)
        items = integer(row, "items", where) or 1
        integer_items = binary or flag(row, "integer", where) or "items" in row
        if mean is None:
            continue
        if lo is not None and hi is not None:
            ok = lo.lo <= mean.hi and mean.lo <= hi.hi
            out.append(
                Check(
                    title,
                    label,
                    "mean_range",
                    verdict_of(ok),
                    f"均值 {mean.text} {'位于' if ok else '不在'} [{lo.text}, {hi.text}] 内",
                    f"mean {mean.text} {'lies' if ok else 'does not lie'} within [{lo.text}, {hi.text}]",
                    {"mean": mean.text, "min": lo.text, "max": hi.text},
                )
            )
        if binary and sd is not None:
            out.append(cm.check_binary_sd(title, label, mean, sd, n))
        if integer_items and n:
            out.append(cm.check_grim(title, label, mean, n, items))
            if sd is not None and items == 1:
                out.append(cm.check_grimmer(title, label, mean, sd, n))
    return out


def audit_frequency(table: dict[str, Any], title: str, where: str) -> list[Check]:
    """Counts sum to N, percents to 100, percent = count/N, and the implied mean and SD."""
    label = str(table.get("question") or title)
    n = integer(table, "n", where)
    opts = rows_of(table, "options", where)
    for row in opts:
        check_keys(row, ROW_KEYS["frequency"], where)
    counts = [integer(r, "count", where) for r in opts]
    percents = [number(r, "percent", where) for r in opts]
    codes = [number(r, "code", where) for r in opts]
    all_counts = (
        [c for c in counts if c is not None] if all(c is not None for c in counts) else None
    )
    all_pcts = (
        [p for p in percents if p is not None] if all(p is not None for p in percents) else None
    )
    out: list[Check] = []
    if all_counts is not None and n is not None:
        out.append(cm.check_count_sum(title, label, all_counts, n))
    if all_pcts is not None:
        out.append(cm.check_percent_sum(title, label, all_pcts))
    if all_counts is not None and all_pcts is not None:
        out.append(
            cm.check_percent_vs_count(title, label, all_counts, all_pcts, n or sum(all_counts))
        )
    claimed_mean, claimed_sd = (
        number(table, "claimed_mean", where),
        number(table, "claimed_sd", where),
    )
    if (claimed_mean or claimed_sd) and any(c is None for c in codes):
        raise AuditFormatError(
            f"{where}{line_suffix(table)}: claimed_mean/claimed_sd need a 'code' on every option"
        )
    code_values = [c.value for c in codes if c is not None]
    if claimed_mean is not None:
        if all_counts is not None:
            out.append(cm.check_count_mean(title, label, code_values, all_counts, claimed_mean))
        elif all_pcts is not None:
            out.append(
                cm.check_implied_mean(
                    title, label, "frequency_mean", code_values, all_pcts, claimed_mean
                )
            )
    if claimed_sd is not None and all_counts is not None:
        out.append(cm.check_count_sd(title, label, code_values, all_counts, claimed_sd))
    return out


def audit_banded(table: dict[str, Any], title: str, where: str) -> list[Check]:
    """Feasible range of a band-midpoint mean given whole-point percents."""
    mids = [m.value for m in number_list(table, "midpoints", where)]
    out: list[Check] = []
    for i, row in enumerate(rows_of(table, "rows", where)):
        check_keys(row, ROW_KEYS["banded_mean"], where)
        label = _row_label(row, "banded_mean", i)
        pcts = number_list(row, "percents", where)
        if len(pcts) != len(mids):
            raise AuditFormatError(
                f"{where}{line_suffix(row)}: {len(pcts)} percents for {len(mids)} midpoints"
            )
        out.append(cm.check_percent_sum(title, label, pcts))
        claimed = number(row, "claimed_mean", where)
        if claimed is not None:
            out.append(cm.check_implied_mean(title, label, "banded_mean", mids, pcts, claimed))
    return out


def audit_diffusion(table: dict[str, Any], title: str, where: str) -> list[Check]:
    """Feasible range of a diffusion index from partially published shares."""
    out: list[Check] = []
    for i, row in enumerate(rows_of(table, "rows", where)):
        check_keys(row, ROW_KEYS["diffusion_index"], where)
        label = _row_label(row, "diffusion_index", i)
        raw = row.get("shares")
        if not isinstance(raw, dict) or not raw:
            raise AuditFormatError(
                f"{where}{line_suffix(row)}: 'shares' must map answers to percents ({DIFFUSION_KEYS_DOC})"
            )
        check_keys(raw, set(cm.DIFFUSION_KEYS), f"{where}, shares")
        scores = [s for k in raw for s in cm.DIFFUSION_KEYS[k]]
        if len(scores) != len(set(scores)):
            raise AuditFormatError(
                f"{where}{line_suffix(row)}: shares overlap (e.g. 'up' with 'much_up'); give each answer once"
            )
        shares = {
            k: parse_printed(v, f"{where}{line_suffix(row)}, shares.{k}") for k, v in raw.items()
        }
        if len(scores) == 5:
            out.append(cm.check_percent_sum(title, label, list(shares.values())))
        claimed = number(row, "claimed_index", where)
        if claimed is not None:
            out.append(cm.check_diffusion(title, label, shares, claimed))
    return out


def audit_difference(table: dict[str, Any], title: str, where: str) -> list[Check]:
    """Printed differences equal a − b within rounding."""
    out: list[Check] = []
    for i, row in enumerate(rows_of(table, "rows", where)):
        check_keys(row, ROW_KEYS["difference"], where)
        v = _numbers(row, ("a", "b", "diff"), where)
        if len(v) != 3:
            raise AuditFormatError(
                f"{where}{line_suffix(row)}: a difference row needs a, b and diff"
            )
        out.append(
            cm.check_difference(title, _row_label(row, "difference", i), v["a"], v["b"], v["diff"])
        )
    return out


RUNNERS = {
    "regression": audit_regression,
    "first_stage": audit_first_stage,
    "descriptive": audit_descriptive,
    "frequency": audit_frequency,
    "banded_mean": audit_banded,
    "diffusion_index": audit_diffusion,
    "difference": audit_difference,
}


def run_tables(tables: list[dict[str, Any]]) -> list[Check]:
    """All checks of all tables, in table and row order.

    Raises
    ------
    AuditFormatError
        On any malformed table, row or number (with its line when loaded from YAML).
    """
    out: list[Check] = []
    for i, table in enumerate(tables):
        kind = validate_table(table, i)
        title = table_title(table, i)
        out += RUNNERS[kind](table, title, f"table {i + 1} ({title})")
    return out
