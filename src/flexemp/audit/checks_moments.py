"""Checks on means, SDs and shares: binary SD, GRIM, GRIMMER, frequency tables, banded means,
diffusion indices and printed differences.

References: Brown & Heathers (2017), "The GRIM test", Social Psychological and Personality
Science 8(4); Anaya (2016), "The GRIMMER test", PeerJ Preprints 4:e2400.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from flexemp.audit.numbers import Printed, fmt, overlaps
from flexemp.audit.result import CANNOT_TELL, Check, verdict_of

EPS = 1e-9  # float slack when testing whether an integer lies in a computed interval
MAX_GRIMMER_SUMS = 200  # beyond this many candidate sums GRIMMER has no practical power


def _ok_text(ok: bool) -> tuple[str, str]:
    return ("，相符", ": matches") if ok else ("，不符", ": does not match")


def binary_sd_range(mean: Printed, n: int | None) -> dict[str, tuple[float, float]]:
    """SD range of a 0/1 variable whose mean lies in ``mean``: population √(p(1−p)) and sample ×√(n/(n−1))."""
    lo, hi = max(mean.lo, 0.0), min(mean.hi, 1.0)
    pts = [lo, hi] + ([0.5] if lo <= 0.5 <= hi else [])
    vals = [math.sqrt(max(p * (1 - p), 0.0)) for p in pts]
    out = {"population": (min(vals), max(vals))}
    if n is not None and n > 1:
        k = math.sqrt(n / (n - 1))
        out["sample"] = (min(vals) * k, max(vals) * k)
    return out


def check_binary_sd(table: str, row: str, mean: Printed, sd: Printed, n: int | None) -> Check:
    """A 0/1 variable's SD is √(p(1−p)·n/(n−1)) (sample) or √(p(1−p)) (population); say which matched."""
    nums: dict[str, object] = {"mean": mean.text, "sd": sd.text, "n": n}
    if mean.hi < 0 or mean.lo > 1:
        return Check(
            table,
            row,
            "binary_sd",
            verdict_of(False),
            f"0/1 变量的均值 {mean.text} 不在 [0, 1] 内",
            f"the mean {mean.text} of a 0/1 variable is outside [0, 1]",
            nums,
        )
    ranges = binary_sd_range(mean, n)
    matched = [k for k, (a, b) in ranges.items() if overlaps(a, b, sd.lo, sd.hi)]
    for k, (a, b) in ranges.items():
        nums[f"sd_{k}"] = [fmt(a, 5), fmt(b, 5)]
    nums["matched"] = matched
    ok = bool(matched)
    parts_zh = "；".join(
        f"{'样本' if k == 'sample' else '总体'}标准差 ∈ [{a:.4f}, {b:.4f}]"
        for k, (a, b) in ranges.items()
    )
    parts_en = "; ".join(f"{k} SD ∈ [{a:.4f}, {b:.4f}]" for k, (a, b) in ranges.items())
    which_zh = {"sample": "样本公式", "population": "总体公式"}
    if ok:
        zh = f"{parts_zh}；印刷 {sd.text}，符合{'与'.join(which_zh[k] for k in matched)}"
        en = f"{parts_en}; printed {sd.text} matches the {' and '.join(matched)} formula"
    else:
        zh = f"{parts_zh}；印刷 {sd.text}，与均值 {mean.text} 不符"
        en = f"{parts_en}; printed {sd.text} does not match the mean {mean.text}"
    return Check(table, row, "binary_sd", verdict_of(ok), zh, en, nums)


def _sums(mean: Printed, n: int, items: int) -> tuple[int, int]:
    m = n * items
    return math.ceil(mean.lo * m - EPS), math.floor(mean.hi * m + EPS)


def check_grim(table: str, row: str, mean: Printed, n: int, items: int = 1) -> Check:
    """GRIM: the mean of ``items`` integer items over ``n`` people is a multiple of 1/(n·items)."""
    g = 1 / (n * items)
    nums: dict[str, object] = {"mean": mean.text, "n": n, "items": items, "granularity": fmt(g, 8)}
    if mean.hi - mean.lo >= g - EPS:
        return Check(
            table,
            row,
            "grim",
            CANNOT_TELL,
            f"N×题数 = {n * items} 时均值步长 {g:.4g} 不大于印刷精度，GRIM 无检验力",
            f"with N×items = {n * items} the step {g:.4g} is not coarser than the printed rounding: GRIM has no power",
            nums,
        )
    s_lo, s_hi = _sums(mean, n, items)
    ok = s_lo <= s_hi
    nearest = round(mean.value * n * items)
    nums["nearest_sum"] = nearest
    nums["nearest_mean"] = fmt(nearest * g, 6)
    if ok:
        zh = f"总和 {s_lo}/{n * items} = {s_lo * g:.5g} 四舍五入为 {mean.text}，相符"
        en = f"sum {s_lo}/{n * items} = {s_lo * g:.5g} rounds to {mean.text}: consistent"
    else:
        zh = f"没有整数总和 S 使 S/{n * items} 四舍五入为 {mean.text}（最近为 {nearest * g:.5g}）"
        en = f"no integer sum S gives S/{n * items} rounding to {mean.text} (nearest {nearest * g:.5g})"
    return Check(table, row, "grim", verdict_of(ok), zh, en, nums)


def check_grimmer(table: str, row: str, mean: Printed, sd: Printed, n: int) -> Check:
    """GRIMMER: for integer items, (n−1)·SD² + S²/n is an integer Σx² with the parity of S."""
    nums: dict[str, object] = {"mean": mean.text, "sd": sd.text, "n": n}
    if n < 2:
        return Check(
            table,
            row,
            "grimmer",
            CANNOT_TELL,
            "N < 2，标准差无定义",
            "N < 2: the SD is undefined",
            nums,
        )
    s_lo, s_hi = _sums(mean, n, 1)
    if s_lo > s_hi:
        return Check(
            table,
            row,
            "grimmer",
            CANNOT_TELL,
            "均值未通过 GRIM，GRIMMER 不再检验",
            "the mean fails GRIM, so GRIMMER is not run",
            nums,
        )
    if s_hi - s_lo + 1 > MAX_GRIMMER_SUMS or (n - 1) * (sd.hi**2 - sd.lo**2) >= 2 - EPS:
        return Check(
            table,
            row,
            "grimmer",
            CANNOT_TELL,
            "N 相对印刷精度过大，GRIMMER 无检验力",
            "N is too large for the printed precision: GRIMMER has no power",
            nums,
        )
    found: list[tuple[int, int]] = []
    for s in range(s_lo, s_hi + 1):
        q_lo = (n - 1) * max(sd.lo, 0.0) ** 2 + s * s / n
        q_hi = (n - 1) * sd.hi**2 + s * s / n
        found += [
            (s, q)
            for q in range(math.ceil(q_lo - EPS), math.floor(q_hi + EPS) + 1)
            if (q - s) % 2 == 0
        ]
    ok = bool(found)
    nums["sum_range"] = [s_lo, s_hi]
    if ok:
        s, q = found[0]
        nums["example"] = {"sum": s, "sum_of_squares": q}
        zh = f"总和 {s}、平方和 {q} 给出均值 {mean.text}、标准差 {sd.text}，相符"
        en = f"sum {s} and sum of squares {q} give mean {mean.text} and SD {sd.text}: consistent"
    else:
        zh = f"没有整数数据（总和 {s_lo}–{s_hi}）能同时给出均值 {mean.text} 与标准差 {sd.text}"
        en = f"no integer data (sum {s_lo}–{s_hi}) give both mean {mean.text} and SD {sd.text}"
    return Check(table, row, "grimmer", verdict_of(ok), zh, en, nums)


def check_percent_sum(
    table: str, row: str, percents: Sequence[Printed], total: float = 100.0
) -> Check:
    """Percentages of one question sum to 100 within the rounding of each printed share."""
    lo, hi = sum(p.lo for p in percents), sum(p.hi for p in percents)
    nums = {
        "percents": [p.text for p in percents],
        "sum": fmt(sum(p.value for p in percents), 6),
        "sum_interval": [fmt(lo, 6), fmt(hi, 6)],
    }
    ok = overlaps(lo, hi, total, total)
    zh, en = _ok_text(ok)
    return Check(
        table,
        row,
        "percent_sum",
        verdict_of(ok),
        f"百分比之和 ∈ [{lo:.4g}, {hi:.4g}]，应为 {total:g}" + zh,
        f"percentages sum to [{lo:.4g}, {hi:.4g}], expected {total:g}" + en,
        nums,
    )


def check_count_sum(table: str, row: str, counts: Sequence[int], n: int) -> Check:
    """Counts of one question add up to the stated N."""
    total = sum(counts)
    ok = total == n
    zh, en = _ok_text(ok)
    return Check(
        table,
        row,
        "count_sum",
        verdict_of(ok),
        f"频数之和 {total}，N = {n}" + zh,
        f"counts sum to {total}, N = {n}" + en,
        {"counts": list(counts), "sum": total, "n": n},
    )


def check_percent_vs_count(
    table: str, row: str, counts: Sequence[int], percents: Sequence[Printed], n: int
) -> Check:
    """Each printed percent is 100·count/N within rounding."""
    bad = [
        (c, p.text)
        for c, p in zip(counts, percents, strict=True)
        if not overlaps(100 * c / n, 100 * c / n, p.lo, p.hi)
    ]
    nums = {
        "n": n,
        "mismatches": [{"count": c, "percent": p, "expected": fmt(100 * c / n, 4)} for c, p in bad],
    }
    ok = not bad
    zh = "各选项百分比 = 100×频数/N" + (
        "，相符" if ok else f"，{len(bad)} 项不符：" + "，".join(f"{c}/{n}≠{p}%" for c, p in bad)
    )
    en = "each percent = 100×count/N" + (
        ": matches" if ok else f": {len(bad)} differ: " + ", ".join(f"{c}/{n}≠{p}%" for c, p in bad)
    )
    return Check(table, row, "percent_vs_count", verdict_of(ok), zh, en, nums)


def weighted_range(
    coefs: Sequence[tuple[float, float]],
    lows: Sequence[float],
    highs: Sequence[float],
    total: float,
) -> tuple[float, float] | None:
    """Min and max of Σ cᵢ·xᵢ over lowᵢ ≤ xᵢ ≤ highᵢ, Σ xᵢ = total; cᵢ may range in ``coefs[i]``.

    The feasible set is a box cut by one hyperplane, so the greedy fill (start at the lower
    bounds, give the remaining mass to the largest coefficients first) is exact.  A share whose
    score ranges over an interval (merged answer categories) uses the end that helps.
    Returns ``None`` if no shares fit the bounds and the total.
    """
    rest = total - sum(lows)
    if rest < -EPS or rest > sum(h - lo for h, lo in zip(highs, lows, strict=True)) + EPS:
        return None
    out = []
    for pick, reverse in ((0, False), (1, True)):
        c = [cc[pick] for cc in coefs]
        val, r = sum(ci * lo for ci, lo in zip(c, lows, strict=True)), max(rest, 0.0)
        for i in sorted(range(len(c)), key=lambda j: c[j], reverse=reverse):
            add = min(r, highs[i] - lows[i])
            val += c[i] * add
            r -= add
        out.append(val)
    return out[0], out[1]


def check_implied_mean(
    table: str,
    row: str,
    check: str,
    coefs: Sequence[float],
    percents: Sequence[Printed],
    claimed: Printed,
) -> Check:
    """Mean implied by shares rounded as printed (codes or band midpoints as scores) vs the claimed mean."""
    lows = [max(p.lo, 0.0) for p in percents]
    highs = [min(p.hi, 100.0) for p in percents]
    rng = weighted_range([(c, c) for c in coefs], lows, highs, 100.0)
    nums: dict[str, object] = {
        "scores": list(coefs),
        "percents": [p.text for p in percents],
        "claimed_mean": claimed.text,
    }
    if rng is None:
        return Check(
            table,
            row,
            check,
            verdict_of(False),
            "百分比在舍入范围内也无法合计为 100",
            "the percents cannot sum to 100 even within rounding",
            nums,
        )
    lo, hi = rng[0] / 100, rng[1] / 100
    nums["feasible_mean"] = [fmt(lo, 5), fmt(hi, 5)]
    ok = overlaps(lo, hi, claimed.lo, claimed.hi)
    zh, en = _ok_text(ok)
    return Check(
        table,
        row,
        check,
        verdict_of(ok),
        f"按取值与舍入后的百分比，均值可在 [{lo:.4f}, {hi:.4f}]，印刷 {claimed.text}" + zh,
        f"with the scores and rounded percents the mean can be in [{lo:.4f}, {hi:.4f}], printed {claimed.text}"
        + en,
        nums,
    )


def check_count_mean(
    table: str, row: str, codes: Sequence[float], counts: Sequence[int], claimed: Printed
) -> Check:
    """Mean of a coded question computed exactly from its counts vs the claimed mean."""
    n = sum(counts)
    mean = sum(c * k for c, k in zip(codes, counts, strict=True)) / n
    ok = overlaps(mean, mean, claimed.lo, claimed.hi)
    zh, en = _ok_text(ok)
    detail = " + ".join(f"{c:g}×{k}" for c, k in zip(codes, counts, strict=True))
    return Check(
        table,
        row,
        "frequency_mean",
        verdict_of(ok),
        f"频数表给出均值 ({detail})/{n} = {mean:.4f}，印刷 {claimed.text}" + zh,
        f"the counts give mean ({detail})/{n} = {mean:.4f}, printed {claimed.text}" + en,
        {
            "codes": list(codes),
            "counts": list(counts),
            "mean": fmt(mean, 6),
            "claimed_mean": claimed.text,
        },
    )


def check_count_sd(
    table: str, row: str, codes: Sequence[float], counts: Sequence[int], claimed: Printed
) -> Check:
    """SD of a coded question computed exactly from its counts (sample or population) vs the claimed SD."""
    n = sum(counts)
    mean = sum(c * k for c, k in zip(codes, counts, strict=True)) / n
    ss = sum(k * (c - mean) ** 2 for c, k in zip(codes, counts, strict=True))
    sds = {
        "sample": math.sqrt(ss / (n - 1)) if n > 1 else math.nan,
        "population": math.sqrt(ss / n),
    }
    matched = [k for k, v in sds.items() if overlaps(v, v, claimed.lo, claimed.hi)]
    ok = bool(matched)
    nums = {
        "sd_sample": fmt(sds["sample"], 6),
        "sd_population": fmt(sds["population"], 6),
        "claimed_sd": claimed.text,
        "matched": matched,
    }
    zh = (
        f"频数表给出样本标准差 {sds['sample']:.4f}、总体标准差 {sds['population']:.4f}，印刷 {claimed.text}"
        + (
            f"，符合{'与'.join('样本公式' if k == 'sample' else '总体公式' for k in matched)}"
            if ok
            else "，不符"
        )
    )
    en = (
        f"the counts give sample SD {sds['sample']:.4f}, population SD {sds['population']:.4f}, printed {claimed.text}"
        + (f": matches the {' and '.join(matched)} formula" if ok else ": does not match")
    )
    return Check(table, row, "frequency_sd", verdict_of(ok), zh, en, nums)


DIFFUSION_KEYS: dict[str, tuple[float, ...]] = {
    "much_up": (1.0,),
    "little_up": (0.5,),
    "up": (1.0, 0.5),
    "same": (0.0,),
    "little_down": (-0.5,),
    "much_down": (-1.0,),
    "down": (-0.5, -1.0),
}


def check_diffusion(table: str, row: str, shares: dict[str, Printed], claimed: Printed) -> Check:
    """Feasible range of 50 + 50·Σ score·share (scores +1, +0.5, 0, −0.5, −1) vs the claimed index.

    Merged shares (``up``, ``down``) may be split freely between their categories; categories
    that are not published share whatever mass the published ones leave.
    """
    covered = {s for k in shares for s in DIFFUSION_KEYS[k]}
    coefs = [(min(DIFFUSION_KEYS[k]), max(DIFFUSION_KEYS[k])) for k in shares]
    lows = [max(p.lo, 0.0) for p in shares.values()]
    highs = [min(p.hi, 100.0) for p in shares.values()]
    missing = sorted({1.0, 0.5, 0.0, -0.5, -1.0} - covered)
    if missing:
        coefs.append((min(missing), max(missing)))
        lows.append(0.0)
        highs.append(100.0)
    nums: dict[str, object] = {
        "shares": {k: p.text for k, p in shares.items()},
        "claimed_index": claimed.text,
        "unpublished_scores": missing,
    }
    rng = weighted_range(coefs, lows, highs, 100.0)
    if rng is None:
        return Check(
            table,
            row,
            "diffusion_index",
            verdict_of(False),
            "公布的占比在舍入范围内也无法合计为 100%",
            "the published shares cannot sum to 100% even within rounding",
            nums,
        )
    lo, hi = 50 + 0.5 * rng[0], 50 + 0.5 * rng[1]
    nums["feasible_index"] = [fmt(lo, 4), fmt(hi, 4)]
    ok = overlaps(lo, hi, claimed.lo, claimed.hi)
    zh, en = _ok_text(ok)
    return Check(
        table,
        row,
        "diffusion_index",
        verdict_of(ok),
        f"按公布的占比（含舍入与合并），指数可在 [{lo:.2f}, {hi:.2f}]，印刷 {claimed.text}" + zh,
        f"the published shares (with rounding and merged answers) allow an index in [{lo:.2f}, {hi:.2f}], printed {claimed.text}"
        + en,
        nums,
    )


def check_difference(table: str, row: str, a: Printed, b: Printed, diff: Printed) -> Check:
    """A printed difference equals a − b within the rounding of all three figures."""
    lo, hi = a.lo - b.hi, a.hi - b.lo
    ok = overlaps(lo, hi, diff.lo, diff.hi)
    zh, en = _ok_text(ok)
    return Check(
        table,
        row,
        "difference",
        verdict_of(ok),
        f"{a.text} − {b.text} ∈ [{lo:.4g}, {hi:.4g}]，印刷差值 {diff.text}" + zh,
        f"{a.text} − {b.text} ∈ [{lo:.4g}, {hi:.4g}], printed difference {diff.text}" + en,
        {"a": a.text, "b": b.text, "diff": diff.text, "a_minus_b": [fmt(lo, 6), fmt(hi, 6)]},
    )
