"""flexemp.describe against R (tests/reference/describe_tables.R: table, chisq.test, t.test, survey)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from flexemp.describe.compare import compare_groups, crosstab
from flexemp.describe.multiselect import multiselect
from flexemp.describe.tables import frequencies, midpoint_means, summary_table_data
from flexemp.synth import get_dataset
from tests.reference.load import HERE, load_reference

#: sums and ratios of at most 600 terms: agreement to rounding
RTOL_CLOSED_FORM = 1e-10
#: Rao-Scott: a linear solve and traces of small matrices, F and chi-square tail probabilities
RTOL_RAO_SCOTT = 1e-8

TOPIC = "describe_tables"
CB = get_dataset("internet_flex_finance").codebook()
DATA = pd.read_csv(HERE / "data" / "describe_tables.csv")
WEIGHTS = [None, "w"]


def _wname(w: str | None) -> str:
    return "none" if w is None else "prob"


def reference_values(topic: str, case: str, quantity: str, *, weights: str = "none") -> pd.Series:
    """Values of a quantity indexed by term (the first model of the case that has it)."""
    f = load_reference(topic)
    sel = f[(f["case"] == case) & (f["quantity"] == quantity) & (f["weights"] == weights)]
    sel = sel[sel["model"] == sel["model"].iloc[0]]
    return sel.set_index("term")["value"]


def reference_scalar(topic: str, case: str, quantity: str, *, weights: str = "none") -> float:
    values = reference_values(topic, case, quantity, weights=weights)
    assert len(values) == 1
    return float(values.iloc[0])


@pytest.mark.parametrize("var", ["education", "income", "income_stability"])
def test_frequencies_counts_and_percents(var):
    res = frequencies(DATA, [var], codebook=CB)
    t = res.table
    valid = t[~t["is_missing"] & (t["count"] > 0)]
    ref = reference_values(TOPIC, f"freq_{var}", "count")
    assert [int(float(k)) for k in ref.index] == [int(c) for c in valid["code"]]
    np.testing.assert_array_equal(valid["count"].to_numpy(), ref.to_numpy())
    miss = t.loc[t["is_missing"], "count"]
    n_missing = reference_scalar(TOPIC, f"freq_{var}", "n_missing")
    assert (int(miss.sum()) if len(miss) else 0) == n_missing
    np.testing.assert_allclose(
        valid["valid_percent"],
        reference_values(TOPIC, f"freq_{var}", "valid_percent"),
        rtol=RTOL_CLOSED_FORM,
    )


@pytest.mark.parametrize("var", ["education", "income", "income_stability"])
def test_weighted_frequencies(var):
    t = frequencies(DATA, [var], codebook=CB, weights="w").table
    valid = t[~t["is_missing"] & (t["count"] > 0)]
    np.testing.assert_allclose(
        valid["weighted_count"],
        reference_values(TOPIC, f"freq_{var}", "weighted_count", weights="prob"),
        rtol=RTOL_CLOSED_FORM,
    )
    np.testing.assert_allclose(
        valid["valid_percent"],
        reference_values(TOPIC, f"freq_{var}", "valid_percent", weights="prob"),
        rtol=RTOL_CLOSED_FORM,
    )


@pytest.mark.parametrize("weights", WEIGHTS)
def test_summary_mean_sd(weights):
    names = ["sex", "education", "income", "income_stability"]
    t = summary_table_data(DATA, names, codebook=CB, weights=weights).table.set_index("variable")
    for v in names:
        case = f"summary_{v}"
        for q in ("mean", "sd"):
            assert t.loc[v, q] == pytest.approx(
                reference_scalar(TOPIC, case, q, weights=_wname(weights)), rel=RTOL_CLOSED_FORM
            )
        assert t.loc[v, "n"] == reference_scalar(TOPIC, case, "n")


@pytest.mark.parametrize("var", ["education", "income", "sex"])
def test_crosstab_chisq_unweighted(var):
    test = crosstab(DATA, var, "flexible", codebook=CB).test
    case = f"chisq_{var}"
    assert test.statistic == pytest.approx(
        reference_scalar(TOPIC, case, "statistic"), rel=RTOL_CLOSED_FORM
    )
    assert test.df == reference_scalar(TOPIC, case, "df")
    assert test.p_value == pytest.approx(
        reference_scalar(TOPIC, case, "p_value"), rel=RTOL_CLOSED_FORM
    )
    assert test.cramers_v == pytest.approx(
        reference_scalar(TOPIC, case, "cramers_v"), rel=RTOL_CLOSED_FORM
    )


@pytest.mark.parametrize("var", ["education", "income", "sex"])
def test_crosstab_rao_scott(var):
    case = f"chisq_{var}"
    f = crosstab(DATA, var, "flexible", codebook=CB, weights="w", statistic="F").test
    ref = {
        q: reference_scalar(TOPIC, case, q, weights="prob")
        for q in ("statistic", "ndf", "ddf", "p_value")
    }
    assert f.statistic == pytest.approx(ref["statistic"], rel=RTOL_RAO_SCOTT)
    assert f.df == pytest.approx(ref["ndf"], rel=RTOL_RAO_SCOTT)
    assert f.df2 == pytest.approx(ref["ddf"], rel=RTOL_RAO_SCOTT)
    assert f.p_value == pytest.approx(ref["p_value"], rel=RTOL_RAO_SCOTT)
    c = crosstab(DATA, var, "flexible", codebook=CB, weights="w", statistic="Chisq").test
    sel = load_reference(TOPIC)
    sel = sel[(sel["case"] == case) & (sel["model"] == "chisq_Chisq")].set_index("quantity")[
        "value"
    ]
    assert c.pearson == pytest.approx(sel["pearson"], rel=RTOL_RAO_SCOTT)
    assert c.df == sel["df"]
    assert c.p_value == pytest.approx(sel["p_value"], rel=RTOL_RAO_SCOTT)


def _ref_model(case: str, model: str, weights: str) -> pd.Series:
    f = load_reference(TOPIC)
    return f[(f["case"] == case) & (f["model"] == model) & (f["weights"] == weights)].set_index(
        "quantity"
    )["value"]


@pytest.mark.parametrize("var", ["income_stability", "education", "income"])
@pytest.mark.parametrize(
    ("test", "model", "weights"),
    [("welch", "ttest_welch", None), ("t", "ttest_pooled", None), ("welch", "svyttest", "w")],
)
def test_t_tests(var, test, model, weights):
    res = compare_groups(DATA, [var], "flexible", codebook=CB, weights=weights, test=test)
    row = res.tests.iloc[0]
    ref = _ref_model(f"ttest_{var}", model, _wname(weights))
    assert row["statistic"] == pytest.approx(ref["statistic"], rel=RTOL_CLOSED_FORM)
    assert row["df"] == pytest.approx(ref["df"], rel=RTOL_CLOSED_FORM)
    assert row["p_value"] == pytest.approx(ref["p_value"], rel=1e-8)


@pytest.mark.parametrize("weights", WEIGHTS)
def test_compare_groups_chisq_matches_crosstab(weights):
    res = compare_groups(DATA, ["income"], "flexible", codebook=CB, weights=weights, test="chisq")
    p = reference_scalar(TOPIC, "chisq_income", "p_value", weights=_wname(weights))
    assert res.tests.iloc[0]["p_value"] == pytest.approx(p, rel=RTOL_RAO_SCOTT)


@pytest.mark.parametrize("weights", WEIGHTS)
def test_midpoint_means(weights):
    res = midpoint_means(DATA, "income", by="flexible", codebook=CB, weights=weights)
    m = res.means.set_index("group")["mean"]
    ref = reference_values(TOPIC, "midpoint_income", "mean", weights=_wname(weights))
    assert m["__all__"] == pytest.approx(ref["all"], rel=RTOL_CLOSED_FORM)
    assert m[0.0] == pytest.approx(ref["flexible:0"], rel=RTOL_CLOSED_FORM)
    assert m[1.0] == pytest.approx(ref["flexible:1"], rel=RTOL_CLOSED_FORM)


@pytest.mark.parametrize("weights", WEIGHTS)
def test_multiselect_percents_and_base(weights):
    res = multiselect(DATA, "hop_reasons", by="flexible", codebook=CB, weights=weights)
    t = res.table
    bases = reference_values(TOPIC, "multiselect_hop_reasons", "base_n")
    assert res.base_n == bases["all"]
    ref = reference_values(TOPIC, "multiselect_hop_reasons", "percent", weights=_wname(weights))
    overall = t[t["group"] == "__all__"].set_index("column")["percent"]
    for col, v in overall.items():
        assert v == pytest.approx(ref[f"all:{col}"], rel=RTOL_CLOSED_FORM)
    if weights is not None:
        for _, r in t[t["group"] != "__all__"].iterrows():
            assert r["percent"] == pytest.approx(
                ref[f"flexible:{int(r['group'])}:{r['column']}"], rel=RTOL_CLOSED_FORM
            )
    by_group = t[t["group"] != "__all__"].groupby("group")["base_n"].first()
    assert by_group[0.0] == bases["flexible:0"]
    assert by_group[1.0] == bases["flexible:1"]
