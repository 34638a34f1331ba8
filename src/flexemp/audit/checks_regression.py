"""Checks on regression rows: t = coef/SE, p from t, stars, confidence intervals, F = t².

Every check compares intervals: a printed figure stands for all values that round to it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from scipy import stats

from flexemp.audit.numbers import Printed, fmt, overlaps, ratio
from flexemp.audit.result import CANNOT_TELL, Check, verdict_of


@dataclass(frozen=True)
class RegressionSpec:
    """How a regression table was computed.

    Attributes
    ----------
    basis : {"z", "t"}
        Reference distribution of the test statistic.
    df : int or None
        Degrees of freedom when ``basis == "t"``.
    thresholds : dict of str to float
        Star symbol → p threshold (``p < threshold`` earns the symbol).
    ci_level : float
        Confidence level of the printed intervals.
    """

    basis: str = "z"
    df: int | None = None
    thresholds: tuple[tuple[str, float], ...] = (("*", 0.10), ("**", 0.05), ("***", 0.01))
    ci_level: float = 0.95

    def crit(self) -> float | None:
        """Two-sided critical value for ``ci_level`` (``None`` without df on a t basis)."""
        q = (1 + self.ci_level) / 2
        if self.basis == "z":
            return float(stats.norm.ppf(q))
        return None if self.df is None else float(stats.t.ppf(q, self.df))

    def p_two_sided(self, abs_t: float) -> float:
        """Two-sided p of ``|t|`` on the table's basis."""
        if self.basis == "z":
            return float(2 * stats.norm.sf(abs_t))
        return float(2 * stats.t.sf(abs_t, self.df))

    def basis_text(self) -> str:
        """``"z"`` or ``"t(df)"``."""
        return "z" if self.basis == "z" else f"t({self.df})"


def _abs_interval(lo: float, hi: float) -> tuple[float, float]:
    if lo <= 0 <= hi:
        return 0.0, max(-lo, hi)
    return min(abs(lo), abs(hi)), max(abs(lo), abs(hi))


def _t_interval(row: dict[str, Printed]) -> tuple[tuple[float, float] | None, str]:
    if "t" in row:
        return (row["t"].lo, row["t"].hi), "t"
    if "coef" in row and "se" in row:
        return ratio(row["coef"], row["se"]), "coef/se"
    return None, ""


def check_t_ratio(table: str, row: str, v: dict[str, Printed]) -> Check:
    """t (or z) printed beside coef and SE must lie in the interval of coef/SE."""
    r = ratio(v["coef"], v["se"])
    nums: dict[str, object] = {"coef": v["coef"].text, "se": v["se"].text, "t": v["t"].text}
    if r is None:
        return Check(
            table,
            row,
            "t_ratio",
            CANNOT_TELL,
            "标准误可能为0，无法检验 t = 系数/标准误",
            "the SE may be 0, so t = coef/SE cannot be checked",
            nums,
        )
    nums["coef_over_se"] = [fmt(r[0]), fmt(r[1])]
    ok = overlaps(r[0], r[1], v["t"].lo, v["t"].hi)
    zh = f"系数/标准误 ∈ [{r[0]:.4f}, {r[1]:.4f}]，印刷 t = {v['t'].text}" + (
        "，相符" if ok else "，不符"
    )
    en = f"coef/SE ∈ [{r[0]:.4f}, {r[1]:.4f}], printed t = {v['t'].text}" + (
        ": matches" if ok else ": does not match"
    )
    return Check(table, row, "t_ratio", verdict_of(ok), zh, en, nums)


def _p_interval(
    v: dict[str, Printed], spec: RegressionSpec
) -> tuple[tuple[float, float] | None, str]:
    t_iv, source = _t_interval(v)
    if t_iv is None:
        return None, source
    a_lo, a_hi = _abs_interval(*t_iv)
    return (spec.p_two_sided(a_hi), spec.p_two_sided(a_lo)), source


def check_p_value(table: str, row: str, v: dict[str, Printed], spec: RegressionSpec) -> Check:
    """The printed p must be the two-sided p of the printed t (or of coef/SE) on the stated basis."""
    nums: dict[str, object] = {"p": v["p"].text, "basis": spec.basis_text()}
    if spec.basis == "t" and spec.df is None:
        return Check(
            table,
            row,
            "p_value",
            CANNOT_TELL,
            "t 分布未给出自由度 df，无法由 t 计算 p",
            "t basis without df: p cannot be computed from t",
            nums,
        )
    p_iv, source = _p_interval(v, spec)
    if p_iv is None:
        return Check(
            table,
            row,
            "p_value",
            CANNOT_TELL,
            "缺少 t 或系数与标准误，无法检验 p",
            "no t and no coef with SE: p cannot be checked",
            nums,
        )
    nums["p_from_" + source.replace("/", "_over_")] = [fmt(p_iv[0], 6), fmt(p_iv[1], 6)]
    ok = overlaps(p_iv[0], p_iv[1], v["p"].lo, v["p"].hi)
    zh = (
        f"由 {source} 按 {spec.basis_text()} 分布算得 p ∈ [{p_iv[0]:.4g}, {p_iv[1]:.4g}]，印刷 p = {v['p'].text}"
        + ("，相符" if ok else "，不符")
    )
    en = (
        f"p from {source} on {spec.basis_text()} ∈ [{p_iv[0]:.4g}, {p_iv[1]:.4g}], printed p = {v['p'].text}"
        + (": matches" if ok else ": does not match")
    )
    return Check(table, row, "p_value", verdict_of(ok), zh, en, nums)


def _stars_for_level(spec: RegressionSpec, level: int) -> str:
    desc = sorted(spec.thresholds, key=lambda kv: -kv[1])
    return "" if level == 0 else desc[level - 1][0]


def _level(spec: RegressionSpec, p: float) -> int:
    return sum(p < thr for _, thr in spec.thresholds)


def audit_stars(
    table: str, row: str, v: dict[str, Printed], stars: str, spec: RegressionSpec
) -> Check:
    """The printed stars must be those the p (printed, or from t or coef/SE) earns under the thresholds."""
    nums: dict[str, object] = {"stars": stars, "thresholds": dict(spec.thresholds)}
    if not spec.thresholds:
        return Check(
            table,
            row,
            "stars",
            CANNOT_TELL,
            "表格未给出显著性阈值 thresholds",
            "the table states no star thresholds",
            nums,
        )
    known = {s for s, _ in spec.thresholds}
    if stars and stars not in known:
        return Check(
            table,
            row,
            "stars",
            CANNOT_TELL,
            f"星号 {stars} 不在阈值 {sorted(known)} 中",
            f"stars {stars} are not among the thresholds {sorted(known)}",
            nums,
        )
    if "p" in v:
        p_iv: tuple[float, float] | None = (max(v["p"].lo, 0.0), v["p"].hi)
        source = "p"
    elif spec.basis == "t" and spec.df is None:
        p_iv, source = None, ""
    else:
        p_iv, source = _p_interval(v, spec)
    if p_iv is None:
        return Check(
            table,
            row,
            "stars",
            CANNOT_TELL,
            "缺少 p、t 或系数与标准误（或 t 分布的 df），无法检验星号",
            "no p, t or coef with SE (or no df on a t basis): stars cannot be checked",
            nums,
        )
    levels = range(_level(spec, p_iv[1]), _level(spec, p_iv[0]) + 1)
    allowed = [_stars_for_level(spec, lv) or "(none)" for lv in levels]
    nums["p_interval"] = [fmt(p_iv[0], 6), fmt(p_iv[1], 6)]
    nums["stars_allowed"] = allowed
    ok = (stars or "(none)") in allowed
    zh = f"由 {source} 得 p ∈ [{p_iv[0]:.4g}, {p_iv[1]:.4g}]，应标 {'/'.join(allowed)}，印刷为 {stars or '无星号'}"
    en = f"p from {source} ∈ [{p_iv[0]:.4g}, {p_iv[1]:.4g}] earns {'/'.join(allowed)}; printed {stars or 'no stars'}"
    return Check(table, row, "stars", verdict_of(ok), zh, en, nums)


def check_ci_sign(table: str, row: str, v: dict[str, Printed]) -> Check:
    """The estimate must lie inside its confidence interval (so a CI excluding 0 has its sign)."""
    c, lo, hi = v["coef"], v["ci_low"], v["ci_high"]
    nums = {"coef": c.text, "ci_low": lo.text, "ci_high": hi.text}
    ok = overlaps(c.lo, c.hi, lo.lo, hi.hi) and lo.lo <= hi.hi
    if ok:
        return Check(
            table,
            row,
            "ci_sign",
            verdict_of(True),
            f"系数 {c.text} 位于置信区间 [{lo.text}, {hi.text}] 内",
            f"coef {c.text} lies inside its CI [{lo.text}, {hi.text}]",
            nums,
        )
    sign_zh = "负" if c.value < 0 else "正"
    ci_sign_zh = "正" if lo.value > 0 else "负"
    sign_en, ci_sign_en = (
        ("negative" if c.value < 0 else "positive"),
        ("positive" if lo.value > 0 else "negative"),
    )
    flipped = lo.value * c.value < 0 and hi.value * c.value < 0
    zh = f"系数 {c.text} 不在置信区间 [{lo.text}, {hi.text}] 内" + (
        f"：系数为{sign_zh}，区间全为{ci_sign_zh}（符号相反）" if flipped else ""
    )
    en = f"coef {c.text} lies outside its CI [{lo.text}, {hi.text}]" + (
        f": the coef is {sign_en}, the whole CI is {ci_sign_en} (opposite signs)" if flipped else ""
    )
    return Check(table, row, "ci_sign", verdict_of(False), zh, en, nums)


def check_ci_centre(table: str, row: str, v: dict[str, Printed]) -> Check:
    """A Wald interval is centred on the estimate: (low + high)/2 must match coef."""
    c, lo, hi = v["coef"], v["ci_low"], v["ci_high"]
    m_lo, m_hi = (lo.lo + hi.lo) / 2, (lo.hi + hi.hi) / 2
    nums = {
        "coef": c.text,
        "ci_low": lo.text,
        "ci_high": hi.text,
        "ci_midpoint": [fmt(m_lo, 6), fmt(m_hi, 6)],
    }
    ok = overlaps(m_lo, m_hi, c.lo, c.hi)
    zh = f"区间中点 ∈ [{m_lo:.5g}, {m_hi:.5g}]，系数 {c.text}" + (
        "，相符" if ok else "，不符（区间不以系数为中心）"
    )
    en = f"CI midpoint ∈ [{m_lo:.5g}, {m_hi:.5g}], coef {c.text}" + (
        ": matches" if ok else ": does not match (the CI is not centred on the coef)"
    )
    return Check(table, row, "ci_centre", verdict_of(ok), zh, en, nums)


def check_ci_se(table: str, row: str, v: dict[str, Printed], spec: RegressionSpec) -> Check:
    """Half the CI width divided by the critical value must match the printed SE."""
    se, lo, hi = v["se"], v["ci_low"], v["ci_high"]
    nums: dict[str, object] = {
        "se": se.text,
        "ci_low": lo.text,
        "ci_high": hi.text,
        "ci_level": spec.ci_level,
    }
    crit = spec.crit()
    if crit is None:
        return Check(
            table,
            row,
            "ci_se",
            CANNOT_TELL,
            "t 分布未给出自由度 df，无法得到临界值",
            "t basis without df: no critical value",
            nums,
        )
    w_lo, w_hi = (hi.lo - lo.hi) / 2 / crit, (hi.hi - lo.lo) / 2 / crit
    nums["crit"] = round(crit, 6)
    nums["se_from_ci"] = [fmt(w_lo, 6), fmt(w_hi, 6)]
    ok = overlaps(w_lo, w_hi, se.lo, se.hi)
    zh = f"(上限−下限)/(2×{crit:.3f}) ∈ [{w_lo:.5g}, {w_hi:.5g}]，印刷标准误 {se.text}" + (
        "，相符" if ok else "，不符"
    )
    en = f"(high − low)/(2×{crit:.3f}) ∈ [{w_lo:.5g}, {w_hi:.5g}], printed SE {se.text}" + (
        ": matches" if ok else ": does not match"
    )
    return Check(table, row, "ci_se", verdict_of(ok), zh, en, nums)


def check_first_stage_f(table: str, row: str, v: dict[str, Printed]) -> Check:
    """With one instrument the first-stage F equals t² = (coef/SE)²."""
    nums: dict[str, object] = {
        "coef": v["coef"].text,
        "se": v["se"].text,
        "claimed_f": v["claimed_f"].text,
    }
    r = ratio(v["coef"], v["se"])
    if r is None:
        return Check(
            table,
            row,
            "f_equals_t2",
            CANNOT_TELL,
            "标准误可能为0，无法检验 F = t²",
            "the SE may be 0, so F = t² cannot be checked",
            nums,
        )
    a_lo, a_hi = _abs_interval(*r)
    f_lo, f_hi = a_lo**2, a_hi**2
    nums["t_squared"] = [fmt(f_lo), fmt(f_hi)]
    f = v["claimed_f"]
    ok = overlaps(f_lo, f_hi, f.lo, f.hi)
    zh = f"(系数/标准误)² ∈ [{f_lo:.4f}, {f_hi:.4f}]，印刷 F = {f.text}" + (
        "，相符" if ok else "，不符"
    )
    en = f"(coef/SE)² ∈ [{f_lo:.4f}, {f_hi:.4f}], printed F = {f.text}" + (
        ": matches" if ok else ": does not match"
    )
    return Check(table, row, "f_equals_t2", verdict_of(ok), zh, en, nums)


def is_finite(p: Printed) -> bool:
    """True if both ends of the interval are finite."""
    return math.isfinite(p.lo) and math.isfinite(p.hi)
