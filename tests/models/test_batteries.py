"""Mechanism and heterogeneity batteries: each model equals the direct fit; the auto rule; subgroup tests."""

from __future__ import annotations

import json

import numpy as np
import pytest
from scipy import stats
from typer.testing import CliRunner

import flexemp
from flexemp.cli import app
from flexemp.core.errors import EstimationError, UnsupportedOptionError
from flexemp.models.batteries import choose_model, heterogeneity, mechanism
from flexemp.synth import get_dataset

CONTROLS = ["male", "age", "married", "education", "health"]


@pytest.fixture(scope="module")
def pw():
    return get_dataset("platform_workers").generate()


def test_mechanism_models_equal_direct_fits(pw):
    res = mechanism(pw, treatments=["contract", "training"], mediators=["injury", "income", "identity"],
                    controls=CONTROLS, vcov="cluster", cluster="province")
    assert list(res.summary["model"]) == ["probit", "probit", "oprobit", "oprobit", "oprobit", "oprobit"]
    direct = flexemp.oprobit("identity ~ training + " + " + ".join(CONTROLS), pw, vcov="cluster", cluster="province")
    row = res.summary[(res.summary["dependent"] == "identity") & (res.summary["treatment"] == "training")].iloc[0]
    c = direct.coefficients.set_index("term").loc["training"]
    assert row["estimate"] == pytest.approx(c["estimate"], rel=1e-12)
    assert row["std_error"] == pytest.approx(c["std_error"], rel=1e-12)
    assert set(res.tables()) == {"injury", "income", "identity"}


@pytest.mark.parametrize(("values", "kind"), [([0, 1, 1, 0], "probit"), ([1, 2, 3, 4, 5], "oprobit"),
                                              ([0.5, 1.2, 3.3], "ols"), (list(range(40)), "ols")])
def test_auto_rule(values, kind):
    import pandas as pd

    assert choose_model(pd.Series(values)) == kind


def test_heterogeneity_interaction_and_subgroup_test(pw):
    res = heterogeneity(pw, outcome="life_sat", treatments=["contract"], moderators=["own_home"],
                        controls=[*CONTROLS, "own_home"], subgroups=True)
    inter = res.summary[res.summary["term"] == "contract:own_home"].iloc[0]
    direct = flexemp.oprobit("life_sat ~ contract + own_home + contract:own_home + " + " + ".join(CONTROLS), pw)
    assert inter["estimate"] == pytest.approx(direct.params["contract:own_home"], rel=1e-12)
    sub = res.summary[res.summary["moderator"].isin(["own_home=0", "own_home=1"])].set_index("moderator")
    assert sub.loc["own_home=0", "nobs"] + sub.loc["own_home=1", "nobs"] == len(pw)
    t = res.tests.iloc[0]
    # closed form of the test of equal coefficients in two disjoint subsamples
    diff = sub.loc["own_home=1", "estimate"] - sub.loc["own_home=0", "estimate"]
    se = np.hypot(sub.loc["own_home=1", "std_error"], sub.loc["own_home=0", "std_error"])
    assert t["difference"] == pytest.approx(diff) and t["std_error"] == pytest.approx(se)
    assert t["p_value"] == pytest.approx(2 * stats.norm.sf(abs(diff / se)))


def test_refusals(pw):
    with pytest.raises(UnsupportedOptionError, match="model"):
        mechanism(pw, treatments=["contract"], mediators=["injury"], model="tobit")
    with pytest.raises(EstimationError, match="at least one treatment"):
        mechanism(pw, treatments=[], mediators=["injury"])
    with pytest.raises(EstimationError, match="0/1 moderator"):
        heterogeneity(pw, outcome="life_sat", treatments=["contract"], moderators=["education"], subgroups=True)


def test_cli_prints_one_json_object_per_model(pw, tmp_path):
    path = tmp_path / "pw.parquet"
    pw.to_parquet(path)
    res = CliRunner().invoke(app, ["mechanism", "--data", str(path), "--treatments", "contract,training",
                                   "--mediators", "injury", "--controls", "male,age", "--json"])
    assert res.exit_code == 0, res.output
    lines = [json.loads(x) for x in res.output.strip().splitlines()]
    assert [x["key"] for x in lines] == [["injury", "contract"], ["injury", "training"]]
    assert all(x["model"] == "probit" for x in lines)
    res = CliRunner().invoke(app, ["heterogeneity", "--data", str(path), "--outcome", "life_sat", "--treatments",
                                   "contract", "--moderators", "own_home,has_loan", "--controls", "male"])
    assert res.exit_code == 0 and "contract:has_loan" in res.output


def test_mediation_product_and_bootstrap_coverage():
    import pandas as pd

    from flexemp.models.batteries import mediation

    rng = np.random.default_rng(7)
    n = 2000
    d = pd.DataFrame({"t": rng.normal(size=n), "c": rng.normal(size=n)})
    d["m"] = 0.5 * d["t"] + 0.3 * d["c"] + rng.normal(size=n)
    d["y"] = 0.4 * d["m"] + 0.2 * d["t"] - 0.1 * d["c"] + rng.normal(size=n)
    r = mediation(d, treatment="t", mediator="m", outcome="y", controls=["c"], reps=300, seed=1)
    # the point estimates are the OLS coefficients of the two equations
    a = flexemp.ols("m ~ t + c", d).params["t"]
    b = flexemp.ols("y ~ m + t + c", d).params
    assert r.a == pytest.approx(a, rel=1e-10) and r.b == pytest.approx(b["m"], rel=1e-10)
    assert r.indirect == pytest.approx(a * b["m"], rel=1e-10)
    assert r.total == pytest.approx(flexemp.ols("y ~ t + c", d).params["t"], rel=1e-8)  # OLS identity
    assert r.conf_low < 0.5 * 0.4 < r.conf_high  # known truth inside the interval
    again = mediation(d, treatment="t", mediator="m", outcome="y", controls=["c"], reps=300, seed=1)
    assert (again.conf_low, again.conf_high) == (r.conf_low, r.conf_high)
    with pytest.raises(EstimationError, match="too few"):
        mediation(d, treatment="t", mediator="m", outcome="y", reps=10)
