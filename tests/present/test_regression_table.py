"""regression_table, margins_table, vif_table: every cell is the result's own number."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

import flexemp
from flexemp.core.errors import FlexempError, UnsupportedOptionError
from flexemp.present.regression_table import margins_table, regression_table, star_marks, vif_table
from flexemp.synth import get_dataset

CONTROLS = ["male", "age", "married", "education"]


@pytest.fixture(scope="module")
def pw():
    return get_dataset("platform_workers").generate()


@pytest.fixture(scope="module")
def cb():
    return get_dataset("platform_workers").codebook()


@pytest.fixture(scope="module")
def fits(pw):
    rhs = "male + age + married + C(education)"
    return {
        "op_contract": flexemp.oprobit(f"life_sat ~ contract + {rhs}", pw, vcov="cluster", cluster="province"),
        "op_training": flexemp.oprobit(f"life_sat ~ training + {rhs}", pw, vcov="cluster", cluster="province"),
        "op_bare": flexemp.oprobit("life_sat ~ contract", pw, vcov="cluster", cluster="province"),
        "logit": flexemp.logit("injury ~ contract + male + age", pw, vcov="robust"),
        "ols": flexemp.ols("income ~ contract + male + age", pw),
        "mlogit": flexemp.mlogit("identity ~ contract + male", pw),
    }


def _body(table):
    """(term, estimate row, beneath row) for each coefficient row."""
    terms = table.meta["row_terms"]
    return [(terms[i], table.rows[i], table.rows[i + 1]) for i in range(len(table.rows) - 1)
            if table.rows[i].kind == "body" and table.rows[i + 1].kind == "sub"]


def _stat(table, label):
    rows = [r for r in table.rows if r.kind == "stat" and r.label == label]
    assert len(rows) == 1, [r.label for r in table.rows]
    return rows[0]


def test_cells_are_the_results_numbers(fits, cb):
    res = [fits["op_contract"], fits["op_training"], fits["logit"], fits["ols"]]
    tab = regression_table(res, codebook=cb)
    n_checked = 0
    for term, top, sub in _body(tab):
        for j, r in enumerate(res):
            coefs = r.coefficients.set_index("term")
            if term not in coefs.index:
                assert top.cells[j].value is None and top.cells[j].text == "" and sub.cells[j].text == ""
                continue
            assert top.cells[j].value == coefs.loc[term, "estimate"]
            assert sub.cells[j].value == coefs.loc[term, "std_error"]
            assert top.cells[j].stars == star_marks(coefs.loc[term, "p_value"])
            n_checked += 1
    assert n_checked == sum(len(r.coefficients) for r in res)
    assert [c.value for c in _stat(tab, "观测值").cells] == [r.nobs for r in res]
    assert [c.value for c in _stat(tab, "伪R²").cells] == [r.statistics["pseudo_r2"] for r in res[:3]] + [None]
    assert [c.value for c in _stat(tab, "R²").cells] == [None, None, None, res[3].statistics["r2"]]
    assert [c.value for c in _stat(tab, "聚类数").cells] == [res[0].n_clusters, res[1].n_clusters, None, None]


def test_star_boundaries_are_strict():
    assert [star_marks(p) for p in (0.0, 0.00999999, 0.01, 0.0499999, 0.05, 0.0999999, 0.1, 0.5)] == [
        "***", "***", "**", "**", "*", "*", "", ""]
    assert star_marks(float("nan")) == "" and star_marks(None) == ""
    assert [star_marks(p, (0.01, 0.05)) for p in (0.009, 0.01, 0.049, 0.05)] == ["**", "*", "*", ""]
    assert star_marks(0.0999, (0.1,)) == "*"
    for bad in [(), (0.1, 0.05, 0.01, 0.001), (0.1, 0.1), (1.5,), (0.0,)]:
        with pytest.raises(UnsupportedOptionError, match="thresholds"):
            star_marks(0.01, bad)


def test_stars_in_table_follow_p_values_at_the_boundaries(fits):
    r = fits["ols"]
    p = np.array([0.0099, 0.01, 0.05, 0.1])
    coefs = r.coefficients.assign(p_value=p[: len(r.coefficients)])
    fake = dataclasses.replace(r, _coefficients=coefs)
    tab = regression_table(fake, show_intercept=True)
    got = {t: top.cells[0].stars for t, top, _ in _body(tab)}
    assert got == {"Intercept": "***", "contract": "**", "male": "*", "age": ""}
    assert tab.rows[0].cells[0].text.endswith("**")
    tab2 = regression_table(fake, stars=(0.05, 0.01))
    assert {t: top.cells[0].stars for t, top, _ in _body(tab2)} == {
        "Intercept": "**", "contract": "*", "male": "", "age": ""}
    assert tab2.notes[0].startswith("注：**、*分别表示在1%、5%水平上显著")


def test_controls_collapse_with_categorical_levels(fits, cb):
    tab = regression_table([fits["op_contract"], fits["op_bare"]], codebook=cb, controls=CONTROLS)
    terms = [t for t, _, _ in _body(tab)]
    assert terms == ["contract", "cut1", "cut2", "cut3", "cut4"]
    assert not any(t and t.startswith("C(education)") for t in tab.meta["row_terms"])
    ctrl = _stat(tab, "控制变量")
    assert [c.text for c in ctrl.cells] == ["已控制", "未控制"]
    assert tab.rows[0].label == "劳动合同" and tab.rows[2].label == "切点1"
    en = regression_table([fits["op_contract"], fits["op_bare"]], codebook=cb, controls=CONTROLS, lang="en")
    assert [c.text for c in _stat(en, "Controls").cells] == ["Yes", "No"]
    assert en.rows[0].label == "Labour contract"
    assert [r.label for r in en.rows if r.kind == "stat"] == ["Controls", "Observations", "Pseudo R²", "Clusters"]
    with pytest.raises(UnsupportedOptionError, match="'no_such_var'"):
        regression_table(fits["op_contract"], controls=["no_such_var"])


def test_column_groups_and_headers(fits, cb):
    tab = regression_table([fits["op_contract"], fits["op_training"], fits["logit"]], codebook=cb)
    assert tab.columns == ("(1)", "(2)", "(3)")
    assert [(g.label, g.span) for g in tab.column_groups] == [("生活满意度", 2), ("意外伤害", 1)]
    tab = regression_table([fits["op_contract"], fits["op_training"]],
                           dep_var_labels=["被解释变量：生活满意度"] * 2, column_labels=["A", "B"])
    assert [(g.label, g.span) for g in tab.column_groups] == [("被解释变量：生活满意度", 2)]
    assert tab.columns == ("A", "B")
    assert regression_table(fits["ols"], dep_var_labels=False).column_groups == ()
    with pytest.raises(UnsupportedOptionError, match="column_labels"):
        regression_table(fits["ols"], column_labels=["a", "b"])


def test_notes_name_the_covariance(fits):
    zh = regression_table(fits["op_contract"]).notes[0]
    assert zh == "注：***、**、*分别表示在1%、5%、10%水平上显著；括号内为聚类标准误。"
    en = regression_table(fits["op_contract"], lang="en").notes[0]
    assert en == ("Note: ***, **, * denote significance at the 1%, 5%, 10% levels; "
                  "cluster-robust standard errors in parentheses.")
    assert "括号内为稳健标准误" in regression_table(fits["logit"]).notes[0]
    assert "括号内为标准误" in regression_table(fits["ols"]).notes[0]
    mixed = regression_table([fits["logit"], fits["ols"]]).notes[0]
    assert "列(1)稳健标准误" in mixed and "列(2)标准误" in mixed
    assert "括号内为t值" in regression_table(fits["ols"], beneath="t").notes[0]
    assert "方括号内为95%置信区间" in regression_table(fits["ols"], beneath="ci").notes[0]
    assert regression_table(fits["ols"], notes=()).notes == ()
    assert regression_table(fits["ols"], notes=["自定义"]).notes == ("自定义",)


def test_beneath_t_and_ci(fits):
    r = fits["logit"]
    coefs = r.coefficients.set_index("term")
    for term, _, sub in _body(regression_table(r, beneath="t")):
        assert sub.cells[0].value == coefs.loc[term, "statistic"]
        assert sub.cells[0].text == f"({coefs.loc[term, 'statistic']:.3f})"
    for term, _, sub in _body(regression_table(r, beneath="ci", decimals=2)):
        lo, hi = coefs.loc[term, ["conf_low", "conf_high"]]
        assert sub.cells[0].text == f"[{lo:.2f}, {hi:.2f}]"


def test_order_keep_drop(fits, cb):
    r = [fits["op_contract"], fits["op_training"]]
    tab = regression_table(r, order=["training", "contract"], controls=CONTROLS, show_cuts=False)
    assert [t for t, _, _ in _body(tab)] == ["training", "contract"]
    tab = regression_table(r, keep=["contract", "education"], show_cuts=False)
    assert [t for t, _, _ in _body(tab)] == ["contract"] + [f"C(education)[T.{k}]" for k in range(2, 9)]
    tab = regression_table(r, drop=["education", "age"], show_intercept=False)
    terms = [t for t, _, _ in _body(tab)]
    assert "age" not in terms and not any(t.startswith("C(") for t in terms) and "cut1" in terms
    for opt in ("order", "keep", "drop"):
        with pytest.raises(UnsupportedOptionError, match=f"{opt}: term 'nonesuch'"):
            regression_table(r, **{opt: ["nonesuch"]})


def test_refusals(fits):
    with pytest.raises(FlexempError, match="empty"):
        regression_table([])
    with pytest.raises(ValueError, match="not a fitted result"):
        regression_table([fits["ols"], "x"])
    with pytest.raises(UnsupportedOptionError, match="beneath"):
        regression_table(fits["ols"], beneath="pvalue")
    with pytest.raises(UnsupportedOptionError, match="stats"):
        regression_table(fits["ols"], stats=["nobs", "r_squared"])
    with pytest.raises(UnsupportedOptionError, match="lang"):
        regression_table(fits["ols"], lang="fr")


def test_mlogit_one_column_per_outcome(fits, cb):
    r = fits["mlogit"]
    tab = regression_table(r, codebook=cb)
    outcomes = list(dict.fromkeys(t.partition(":")[0] for t in r.coefficients["term"]))
    assert len(tab.columns) == len(outcomes) == 4
    assert [(g.label, g.span) for g in tab.column_groups] == [("职业认同", 4)]
    coefs = r.coefficients.set_index("term")
    for term, top, sub in _body(tab):
        for j, o in enumerate(outcomes):
            assert top.cells[j].value == coefs.loc[f"{o}:{term}", "estimate"]
            assert sub.cells[j].value == coefs.loc[f"{o}:{term}", "std_error"]
    assert [c.value for c in _stat(tab, "观测值").cells] == [r.nobs, None, None, None]


def test_margins_table_ordered_one_column_per_category(fits, pw):
    me = flexemp.margins(fits["op_contract"], pw, variables=["contract", "age"])
    tab = margins_table(me)
    assert tab.columns == ("y=1", "y=2", "y=3", "y=4", "y=5")
    t = me.table
    for term, top, sub in _body(tab):
        for j, o in enumerate(["1", "2", "3", "4", "5"]):
            row = t[(t["term"] == term) & (t["outcome"] == o)].iloc[0]
            assert top.cells[j].value == row["estimate"] and sub.cells[j].value == row["std_error"]
            assert top.cells[j].stars == star_marks(row["p_value"])
    assert tab.notes[0].startswith("注：表中为平均边际效应；***") and "聚类标准误" in tab.notes[0]
    me2 = flexemp.margins(fits["logit"], pw)
    both = margins_table([me2, me2], lang="en")
    assert both.columns == ("(1)", "(2)") and both.column_groups == ()
    assert both.rows[0].cells[0].value == me2.table["estimate"].iloc[0]


def test_vif_table(pw, cb):
    v = flexemp.vif("life_sat ~ contract + training + age + male + health", pw)
    tab = vif_table(v, codebook=cb)
    for (term, val), row in zip(v.vif.items(), tab.rows, strict=False):
        assert tab.meta["row_terms"][tab.rows.index(row)] == term
        assert row.cells[0].value == val and row.cells[1].value == 1.0 / val
        assert row.cells[0].text == f"{val:.2f}"
    assert tab.rows[0].label == "劳动合同"
    assert tab.rows[-2].cells[0].value == v.max == max(v.vif)
    assert tab.rows[-1].cells[0].value == v.mean
    assert tab.rows[-1].label == "平均值" and vif_table(v, lang="en").rows[-1].label == "Mean"
    with pytest.raises(UnsupportedOptionError, match="VIFResult"):
        vif_table(v.vif)


def test_several_lines_beneath_each_coefficient():
    import flexemp
    from flexemp.present.regression_table import regression_table
    from flexemp.synth import get_dataset

    d = get_dataset("platform_workers").generate()
    res = flexemp.logit("contract ~ male + age", d)
    t = regression_table(res, beneath="se+ci+p", codebook=get_dataset("platform_workers").codebook())
    coef = res.coefficients.set_index("term")
    i = next(k for k, r in enumerate(t.rows) if r.label == "年龄")
    assert [r.kind for r in t.rows[i:i + 4]] == ["body", "sub", "sub", "sub"]
    assert t.rows[i + 1].cells[0].value == coef.loc["age", "std_error"]
    lo, hi = coef.loc["age", ["conf_low", "conf_high"]]
    assert t.rows[i + 2].cells[0].text == f"[{lo:.3f}, {hi:.3f}]"
    p = coef.loc["age", "p_value"]
    assert t.rows[i + 3].cells[0].value == p and t.rows[i + 3].cells[0].text == f"[{p:.3f}]"
    note = t.notes[0]
    assert note.index("括号内为标准误") < note.index("置信区间") < note.index("p值")
    with pytest.raises(UnsupportedOptionError):
        regression_table(res, beneath="se+se")
    with pytest.raises(UnsupportedOptionError):
        regression_table(res, beneath="se+sd")
