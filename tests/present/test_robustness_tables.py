"""IV, PSM, balance, Heckman and battery tables: every cell is the result's own number."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

import flexemp
from flexemp.core.errors import UnsupportedOptionError
from flexemp.models.diagnostics.iv_tests import STOCK_YOGO_SIZE
from flexemp.models.heckman import heckman2s, selection_correction
from flexemp.present.regression_table import star_marks
from flexemp.present.robustness_tables import (
    balance_table,
    battery_table,
    heckman_table,
    iv_table,
    psm_table,
)
from flexemp.synth import get_dataset

CONTROLS = ["male", "age", "married"]


@pytest.fixture(scope="module")
def pw():
    d = get_dataset("platform_workers").generate()
    d["z_contract"] = flexemp.loo_mean(d, "contract", "province", exclude="employer_id")
    d["z_training"] = flexemp.loo_mean(d, "training", "province", exclude="employer_id")
    return d


@pytest.fixture(scope="module")
def cb():
    return get_dataset("platform_workers").codebook()


def _by_term(table, term, kind="body"):
    i = next(i for i, t in enumerate(table.meta["row_terms"]) if t == term and table.rows[i].kind == kind)
    return table.rows[i], table.rows[i + 1]


def _stat(table, label):
    rows = [r for r in table.rows if r.kind == "stat" and r.label == label]
    assert len(rows) == 1, [r.label for r in table.rows]
    return rows[0]


@pytest.fixture(scope="module")
def ivs(pw):
    rhs = " + ".join(CONTROLS)
    exact = flexemp.iv2sls(f"life_sat ~ {rhs} + [contract ~ z_contract]", pw, vcov="cluster", cluster="province")
    over = flexemp.iv2sls(f"life_sat ~ {rhs} + [training ~ z_training + z_contract]", pw, vcov="robust")
    return exact, over


def test_iv_table(ivs, cb):
    exact, over = ivs
    tab = iv_table([exact, over], codebook=cb, controls=CONTROLS, labels={"z_contract": "地区劳动合同平均值"})
    assert tab.columns == ("第一阶段", "第二阶段", "第一阶段", "第二阶段")
    assert [(g.label, g.span) for g in tab.column_groups] == [("劳动合同", 2), ("入职培训", 2)]
    assert [t for t in tab.meta["row_terms"] if t][:8:2] == ["contract", "training", "z_contract", "z_training"]
    top, sub = _by_term(tab, "z_contract")
    assert top.label == "地区劳动合同平均值"
    for j, res in ((0, exact), (2, over)):
        fs = next(iter(res.first_stage.values()))
        c = fs.coefficients.set_index("term")
        assert top.cells[j].value == c.loc["z_contract", "estimate"]
        assert sub.cells[j].value == c.loc["z_contract", "std_error"]
        assert top.cells[j].stars == star_marks(c.loc["z_contract", "p_value"])
        assert _stat(tab, "偏R²").cells[j].value == fs.partial_r2
        assert _stat(tab, "第一阶段F值").cells[j].value == fs.f.stat
    top, sub = _by_term(tab, "contract")
    assert top.cells[1].value == exact.params["contract"] and sub.cells[1].value == exact.std_errors["contract"]
    assert top.cells[3].value is None
    lm = _stat(tab, "Kleibergen-Paap rk LM统计量")
    for j, res in ((1, exact), (3, over)):
        d = res.diagnostics
        assert lm.cells[j].value == d["kp_rk_lm"].stat
        assert lm.cells[j].stars == star_marks(d["kp_rk_lm"].p_value)
        assert _stat(tab, "Kleibergen-Paap rk LM统计量p值").cells[j].value == d["kp_rk_lm"].p_value
        assert _stat(tab, "Kleibergen-Paap rk Wald F统计量").cells[j].value == d["kp_rk_wald_f"].stat
        assert _stat(tab, "Cragg-Donald Wald F统计量").cells[j].value == d["cragg_donald_f"].stat
        assert _stat(tab, "观测值").cells[j].value == res.nobs
    assert lm.cells[0].value is None
    assert [c.value for c in _stat(tab, "Stock-Yogo 10%临界值").cells] == [
        None, STOCK_YOGO_SIZE[1]["10%"], None, STOCK_YOGO_SIZE[2]["10%"]]
    hj = _stat(tab, "Hansen J统计量")  # over-identified, robust: Hansen J only in the second model
    assert [c.value for c in hj.cells] == [None, None, None, over.diagnostics["hansen_j"].stat]
    assert [c.text for c in _stat(tab, "控制变量").cells] == ["已控制"] * 4
    assert "聚类标准误" in tab.notes[0] and "稳健标准误" in tab.notes[0]
    en = iv_table(exact, lang="en")
    assert en.columns == ("First stage", "Second stage")
    with pytest.raises(UnsupportedOptionError, match="empty"):
        iv_table([])


@pytest.fixture(scope="module")
def psms(pw):
    cov = ["age", "male", "married", "education", "health"]
    return [flexemp.psm(pw, treat=t, outcome="life_sat", covariates=cov) for t in ("contract", "training")]


def test_psm_table(psms, cb):
    tab = psm_table(psms, codebook=cb)
    assert tab.columns == ("处理组均值", "控制组均值", "平均处理效应(ATT)", "标准误", "t值")
    assert [r.label for r in tab.rows] == ["劳动合同", "入职培训"]
    for row, r in zip(tab.rows, psms, strict=True):
        tr = r.table_row()
        assert [c.value for c in row.cells] == [r.treated_mean, r.control_mean, r.estimate, r.se_ai2006,
                                                float(tr["t"].iloc[0])]
        assert row.cells[2].stars == star_marks(r.p_value)
    assert "Abadie-Imbens (2006)" in tab.notes[0] and "1近邻有放回匹配" in tab.notes[0]
    simple = psm_table(psms, se="simple", lang="en")
    for row, r in zip(simple.rows, psms, strict=True):
        t = r.estimate / r.se_simple
        assert row.cells[3].value == r.se_simple and row.cells[4].value == t
        assert row.cells[2].stars == star_marks(2 * stats.norm.sf(abs(t)))
    assert "psmatch2's simple standard errors" in simple.notes[0]
    with pytest.raises(UnsupportedOptionError, match="se="):
        psm_table(psms, se="bootstrap")


def test_psm_table_refuses_mixed_estimands(pw, psms):
    ate = flexemp.psm(pw, treat="contract", outcome="life_sat", covariates=["age", "male"], estimand="ate")
    with pytest.raises(UnsupportedOptionError, match="mix estimands"):
        psm_table([psms[0], ate])


def test_balance_table(psms, cb):
    r = psms[0]
    tab = balance_table(r, codebook=cb)
    b = r.balance.table.set_index("covariate")
    for cov in b.index:
        before, after = _by_term(tab, cov)
        assert [c.value for c in before.cells[1:]] == [
            b.loc[cov, "mean_treated_before"], b.loc[cov, "mean_control_before"], b.loc[cov, "std_bias_before"],
            None, b.loc[cov, "t_before"], b.loc[cov, "p_before"], b.loc[cov, "variance_ratio_before"]]
        assert [c.value for c in after.cells[1:]] == [
            b.loc[cov, "mean_treated"], b.loc[cov, "mean_control_after"], b.loc[cov, "std_bias_after"],
            b.loc[cov, "bias_reduction"], b.loc[cov, "t_after"], b.loc[cov, "p_after"],
            b.loc[cov, "variance_ratio_after"]]
    assert tab.rows[0].label == "年龄"
    s = r.balance.summary
    assert _stat(tab, "平均|标准化偏差|(%)").cells[3].value == s["mean_abs_bias_before"]
    assert f"{s['pseudo_r2_after']:.3f}" in tab.notes[0]


def test_heckman2s_table(pw, cb):
    d = pw.assign(income=lambda x: x["income"].where(x["full_time"] == 1))
    r = heckman2s("income ~ age + male + education", "full_time ~ age + male + education + works_local", d)
    tab = heckman_table(r, codebook=cb)
    assert tab.columns == ("结果方程", "选择方程")
    out, sel = r.outcome.coefficients.set_index("term"), r.selection.coefficients.set_index("term")
    top, sub = _by_term(tab, "lambda")
    assert top.label == "逆米尔斯比率 (λ)" and top.cells[0].value == r.lambda_ and sub.cells[0].value == r.lambda_se
    assert top.cells[1].value is None
    top, _ = _by_term(tab, "works_local")
    assert top.cells[0].value is None and top.cells[1].value == sel.loc["works_local", "estimate"]
    top, _ = _by_term(tab, "age")
    assert [c.value for c in top.cells] == [out.loc["age", "estimate"], sel.loc["age", "estimate"]]
    assert _stat(tab, "ρ").cells[0].value == r.rho and _stat(tab, "σ").cells[0].value == r.sigma
    assert [c.value for c in _stat(tab, "观测值").cells] == [r.nobs_selected, r.nobs]


def test_selection_correction_table(pw, cb):
    fits = [selection_correction(f"{t} ~ education + full_time + works_local", f"life_sat ~ {t} + male + age", pw,
                                 model="oprobit", vcov="cluster", cluster="province") for t in ("contract", "training")]
    tab = heckman_table(fits, codebook=cb, controls=["male", "age"], show_cuts=False)
    labels = [r.label for r in tab.rows if r.kind == "body"]
    assert labels == ["劳动合同", "入职培训", "逆米尔斯比率"]
    top, sub = _by_term(tab, "imr")
    assert [c.value for c in top.cells] == [f.estimate for f in fits]
    assert [c.value for c in sub.cells] == [f.std_error for f in fits]
    assert [c.stars for c in top.cells] == [star_marks(f.p_value) for f in fits]
    assert [c.text for c in _stat(tab, "控制变量").cells] == ["已控制", "已控制"]
    assert "聚类标准误" in tab.notes[0]
    first = heckman_table(fits[0], codebook=cb, show_first_stage=True, lang="en")
    assert first.columns == ("First stage", "(2)")
    top, _ = _by_term(first, "works_local")
    assert top.cells[0].value == fits[0].first_stage.params["works_local"]
    assert _by_term(first, "imr")[0].label == "Inverse Mills ratio"


def test_mechanism_table(pw, cb):
    mech = flexemp.mechanism(pw, treatments=["contract", "training"], mediators=["injury", "identity"],
                             controls=CONTROLS, vcov="cluster", cluster="province")
    tab = battery_table(mech, codebook=cb)
    assert len(tab.columns) == 4
    assert [(g.label, g.span) for g in tab.column_groups] == [("意外伤害", 2), ("职业认同", 2)]
    assert [r.label for r in tab.rows if r.kind == "body"] == ["劳动合同", "入职培训"]
    top, sub = _by_term(tab, "contract")
    for j, key in enumerate(mech.models):
        res = mech.models[key]
        if key[1] == "contract":
            assert top.cells[j].value == res.params["contract"] and sub.cells[j].value == res.std_errors["contract"]
        else:
            assert top.cells[j].value is None
    assert [c.text for c in _stat(tab, "控制变量").cells] == ["已控制"] * 4
    assert [c.value for c in _stat(tab, "观测值").cells] == [m.nobs for m in mech.models.values()]
    one = battery_table(mech, dependent="identity", codebook=cb)
    assert one.columns == ("(1)", "(2)") and one.column_groups[0].label == "职业认同"
    with pytest.raises(UnsupportedOptionError, match="income"):
        battery_table(mech, dependent="income")


def test_heterogeneity_table(pw, cb):
    het = flexemp.heterogeneity(pw, outcome="life_sat", treatments=["contract", "training"], moderators=["own_home"],
                                controls=CONTROLS, vcov="cluster", cluster="province", subgroups=True)
    tab = battery_table(het, codebook=cb)
    assert [r.label for r in tab.rows if r.kind == "body"] == [
        "劳动合同", "劳动合同 × 自有住房", "入职培训", "入职培训 × 自有住房", "自有住房"]
    assert len(tab.columns) == 2
    top, sub = _by_term(tab, "contract:own_home")
    res = het.models[("life_sat", "contract", "own_home")]
    assert top.cells[0].value == res.params["contract:own_home"]
    assert sub.cells[0].value == res.std_errors["contract:own_home"]
    assert top.cells[0].stars == star_marks(res.coefficients.set_index("term").loc["contract:own_home", "p_value"])
    assert not any(t and t.startswith("cut") for t in tab.meta["row_terms"])
    sub_tab = battery_table(het, subgroups=True, codebook=cb, lang="en")
    assert len(sub_tab.columns) == 6 and "Own home=0" in sub_tab.columns
    assert sub_tab.columns.count("Own home=1") == 2
    k = sub_tab.meta["keys"].index(["life_sat", "training", "own_home=1"])
    assert sub_tab.columns[k] == "Own home=1"
    top, _ = _by_term(sub_tab, "training")
    assert top.cells[k].value == het.models[("life_sat", "training", "own_home=1")].params["training"]
    assert not math.isnan(np.float64(top.cells[k].value))
