"""Diffusion indices: closed forms, properties, refusals and simulated coverage."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from flexemp.core.errors import DroppedRowsWarning, IndexInputError, UnsupportedOptionError
from flexemp.indices import diffusion_index, expectation_gap, index_change

#: Closed forms evaluated in floating point: agreement up to rounding.
RTOL_CLOSED_FORM = 1e-12
#: Coverage of a nominal 95% interval over 400 seeded replications: binomial SD ≈ 1.1 pp.
COVERAGE_BAND = (0.92, 0.98)
#: Bootstrap SE from 400 replicates has relative SD ≈ 1/sqrt(2·400) ≈ 3.5%.
RTOL_BOOTSTRAP_SE = 0.12
SCORE = {1: 1.0, 2: 0.5, 3: 0.0, 4: -0.5, 5: -1.0}


def _random_frame(seed: int, n: int = 500) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    q = pd.array(rng.integers(1, 6, n), dtype="Int64")
    q[rng.random(n) < 0.1] = pd.NA
    return pd.DataFrame(
        {
            "q": q,
            "g": rng.integers(1, 4, n),
            "wave": rng.choice(["2022Q1", "2022Q2"], n),
            "w": rng.uniform(0.2, 3.0, n),
        }
    )


def test_two_answers_closed_form() -> None:
    # scores 1 and 0: mean 0.5, index 75; var(mean) = (0.25 + 0.25)/2**2 * 2/1 = 0.25
    r = diffusion_index(pd.DataFrame({"q": [1, 3]}), "q", min_n=1).iloc[0]
    assert r["index"] == pytest.approx(75.0, rel=RTOL_CLOSED_FORM)
    assert r["se"] == pytest.approx(50 * 0.5, rel=RTOL_CLOSED_FORM)
    assert r["n"] == 2
    assert r["n_eff"] == pytest.approx(2.0, rel=RTOL_CLOSED_FORM)
    assert r["conf_low"] == pytest.approx(75 - 1.959963984540054 * 25, rel=1e-12)


def test_weighted_closed_form() -> None:
    q = np.array([1, 2, 3, 4, 5, 3, 2])
    w = np.array([1.0, 2.0, 1.0, 1.5, 2.0, 1.0, 0.5])
    s = np.array([SCORE[int(c)] for c in q])
    m = np.sum(w * s) / np.sum(w)
    n = len(q)
    se = np.sqrt(np.sum(w**2 * (s - m) ** 2) / np.sum(w) ** 2 * n / (n - 1))
    r = diffusion_index(pd.DataFrame({"q": q, "w": w}), "q", weights="w", min_n=1).iloc[0]
    assert r["index"] == pytest.approx(50 + 50 * m, rel=RTOL_CLOSED_FORM)
    assert r["se"] == pytest.approx(50 * se, rel=RTOL_CLOSED_FORM)
    assert r["n_eff"] == pytest.approx(np.sum(w) ** 2 / np.sum(w**2), rel=RTOL_CLOSED_FORM)


def test_equals_share_formula() -> None:
    df = _random_frame(1)
    r = diffusion_index(df, "q", by="g", weights="w", min_n=1).set_index("group")
    valid = df.dropna(subset=["q"])
    shares = valid.groupby(["g", "q"])["w"].sum() / valid.groupby("g")["w"].sum()
    p = shares.unstack(fill_value=0.0)
    expected = 100 * p[1] + 75 * p[2] + 50 * p[3] + 25 * p[4]
    np.testing.assert_allclose(r.loc[expected.index, "index"], expected, rtol=RTOL_CLOSED_FORM)


def test_share_scale_is_pmi() -> None:
    df = pd.DataFrame({"q": [1, 1, 2, 3, 3, 3, 2, 1]})  # up, same, down = 3, 2, 3 of 8
    r = diffusion_index(df, "q", scores={1: 1.0, 2: 0.5, 3: 0.0}, scale="share", min_n=1)
    assert r["index"].iloc[0] == pytest.approx(100 * 3 / 8 + 50 * 2 / 8, rel=RTOL_CLOSED_FORM)
    with pytest.raises(IndexInputError, match="outside"):
        diffusion_index(df, "q", scores={1: 1.0, 2: 0.0, 3: -1.0}, scale="share")


def test_missing_answers_excluded_and_counted() -> None:
    df = pd.DataFrame({"q": pd.array([1, None, 5, None, 3], dtype="Int64")})
    r = diffusion_index(df, "q", min_n=1).iloc[0]
    assert (r["n"], r["n_missing"]) == (3, 2)
    assert r["index"] == pytest.approx(50.0, rel=RTOL_CLOSED_FORM)


def test_suppression_keeps_raw_values() -> None:
    df = pd.DataFrame({"q": [1] * 5 + [2, 3] * 20, "g": ["small"] * 5 + ["big"] * 40})
    r = diffusion_index(df, "q", by="g", min_n=30).set_index("group")
    small, big = r.loc["small"], r.loc["big"]
    assert bool(small["suppressed"]) and not bool(big["suppressed"])
    assert np.isnan([small["index"], small["se"], small["conf_low"], small["p_value"]]).all()
    assert small["index_raw"] == pytest.approx(100.0, rel=RTOL_CLOSED_FORM)
    assert small["reading"] == "样本不足"
    assert big["index"] == pytest.approx(50 + 50 * 0.25, rel=RTOL_CLOSED_FORM)


def test_boom_reading() -> None:
    df = pd.DataFrame(
        {"q": [1, 2] * 50 + [4, 5] * 50 + [3, 2] * 50, "g": np.repeat(list("abc"), 100)}
    )
    r = diffusion_index(df, "q", by="g").set_index("group")
    assert r["reading"].tolist() == ["景气", "不景气", "景气"]
    assert r["above_50"].tolist() == [True, False, True]
    # c: mean 0.25, index 62.5; z = 12.5 / se, se from the closed form
    s = np.array([0.0, 0.5] * 50)
    se = 50 * np.sqrt(np.sum((s - 0.25) ** 2) / 100**2 * 100 / 99)
    assert r.loc["c", "z"] == pytest.approx(12.5 / se, rel=RTOL_CLOSED_FORM)


@pytest.mark.parametrize("seed", range(5))
def test_bounds_property(seed: int) -> None:
    rng = np.random.default_rng(seed)
    df = _random_frame(seed, 200)
    scores = {k: float(v) for k, v in zip(range(1, 6), rng.uniform(-1, 1, 5), strict=True)}
    r = diffusion_index(df, "q", by="g", wave="wave", weights="w", scores=scores, min_n=1)
    assert ((r["index"] >= 0) & (r["index"] <= 100)).all()
    scores01 = {k: (v + 1) / 2 for k, v in scores.items()}
    r01 = diffusion_index(df, "q", by="g", weights="w", scores=scores01, scale="share", min_n=1)
    assert ((r01["index"] >= 0) & (r01["index"] <= 100)).all()


def test_row_order_invariance() -> None:
    df = _random_frame(3)
    a = diffusion_index(df, "q", by="g", wave="wave", weights="w")
    b = diffusion_index(df.sample(frac=1.0, random_state=7), "q", by="g", wave="wave", weights="w")
    pd.testing.assert_frame_equal(a, b, rtol=RTOL_CLOSED_FORM)


def test_coverage_by_simulation() -> None:
    rng = np.random.default_rng(20240601)
    reps, n = 400, 300
    p = np.array([0.15, 0.30, 0.35, 0.15, 0.05])
    truth = 50 + 50 * p @ np.array(list(SCORE.values()))
    q = rng.choice(np.arange(1, 6), size=reps * n, p=p)
    df = pd.DataFrame(
        {"q": q, "rep": np.repeat(np.arange(reps), n), "w": rng.uniform(0.5, 2, reps * n)}
    )
    r = diffusion_index(df, "q", by="rep", weights="w")
    covered = ((r["conf_low"] <= truth) & (truth <= r["conf_high"])).mean()
    assert COVERAGE_BAND[0] <= covered <= COVERAGE_BAND[1]


def test_bootstrap_reproducible_and_close_to_linearization() -> None:
    rng = np.random.default_rng(11)
    n = 20_000
    df = pd.DataFrame(
        {"q": rng.integers(1, 6, n), "g": rng.integers(0, 2, n), "w": rng.uniform(0.5, 2, n)}
    )
    a = diffusion_index(df, "q", by="g", weights="w", bootstrap=400, seed=5)
    b = diffusion_index(df, "q", by="g", weights="w", bootstrap=400, seed=5)
    c = diffusion_index(df, "q", by="g", weights="w", bootstrap=400, seed=6)
    pd.testing.assert_frame_equal(a, b)
    assert not np.allclose(a["se"], c["se"], rtol=1e-9)
    np.testing.assert_allclose(a["se"], a["se_linearized"], rtol=RTOL_BOOTSTRAP_SE)
    assert (a["method"] == "bootstrap").all()
    assert ((a["conf_low"] < a["index"]) & (a["index"] < a["conf_high"])).all()


def test_index_change_closed_form() -> None:
    df = _random_frame(4)
    cur = diffusion_index(df[df["wave"] == "2022Q2"], "q", by="g", wave="wave", weights="w")
    prev = diffusion_index(df[df["wave"] == "2022Q1"], "q", by="g", wave="wave", weights="w")
    ch = index_change(cur, prev)
    np.testing.assert_allclose(ch["change"], cur["index"] - prev["index"], rtol=RTOL_CLOSED_FORM)
    np.testing.assert_allclose(
        ch["se"], np.sqrt(cur["se"] ** 2 + prev["se"] ** 2), rtol=RTOL_CLOSED_FORM
    )
    assert ch["wave_current"].eq("2022Q2").all()
    with pytest.raises(IndexInputError, match="several waves"):
        index_change(diffusion_index(df, "q", wave="wave"), prev)


def test_expectation_gap_paired_se() -> None:
    rng = np.random.default_rng(9)
    n = 400
    c = rng.integers(1, 6, n)
    e = np.clip(c - rng.integers(0, 2, n), 1, 5)
    df = pd.DataFrame({"c": c, "e": e})
    g = expectation_gap(df, "c", "e").iloc[0]
    d = np.array([SCORE[int(x)] for x in e]) - np.array([SCORE[int(x)] for x in c])
    assert g["gap"] == pytest.approx(50 * d.mean(), rel=RTOL_CLOSED_FORM)
    assert g["se"] == pytest.approx(50 * d.std(ddof=1) / np.sqrt(n), rel=RTOL_CLOSED_FORM)
    idx = diffusion_index(df, ["c", "e"]).set_index("var")["index"]
    assert g["gap"] == pytest.approx(idx["e"] - idx["c"], rel=RTOL_CLOSED_FORM)


def test_refusals() -> None:
    df = _random_frame(2)
    with pytest.raises(IndexInputError, match="is not a column"):
        diffusion_index(df, "qq")
    with pytest.raises(UnsupportedOptionError):
        diffusion_index(df, "q", scale="balanc")  # type: ignore[arg-type]
    with pytest.raises(IndexInputError, match="not in scores"):
        diffusion_index(df.assign(q=df["q"].fillna(9)), "q")
    with pytest.raises(IndexInputError, match="negative"):
        diffusion_index(df.assign(w=-df["w"]), "q", weights="w")
    with pytest.raises(IndexInputError, match="min_n"):
        diffusion_index(df, "q", min_n=0)
    with pytest.raises(IndexInputError, match="bootstrap"):
        diffusion_index(df, "q", bootstrap=1)
    with pytest.raises(IndexInputError, match="numeric"):
        diffusion_index(df, "wave")
    before = df.copy()
    with pytest.warns(DroppedRowsWarning, match="3 rows dropped"):
        diffusion_index(df.assign(g=df["g"].where(df.index >= 3)), "q", by="g")
    pd.testing.assert_frame_equal(df, before)


def test_change_propagates_suppression() -> None:
    cur = diffusion_index(
        pd.DataFrame({"q": [1, 2, 3] * 20, "g": ["a"] * 57 + ["b"] * 3}), "q", by="g"
    )
    prev = diffusion_index(pd.DataFrame({"q": [3, 4] * 30, "g": ["a", "b"] * 30}), "q", by="g")
    ch = index_change(cur, prev).set_index("group")
    assert ch["suppressed"].tolist() == [False, True]
    assert np.isnan(ch.loc["b", ["change", "se", "conf_low"]].astype(float)).all()
    assert not np.isnan(ch.loc["a", "change"])


def test_every_indices_name_is_documented() -> None:
    from pathlib import Path

    import flexemp.indices

    text = (Path(__file__).resolve().parents[2] / "docs" / "indices.md").read_text(encoding="utf-8")
    assert [n for n in flexemp.indices.__all__ if n not in text] == []
