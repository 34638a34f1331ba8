"""The seed-001 and seed-003 example studies: they run, write every output, and their numbers
equal the API (flexemp.logit) and direct pandas computations on the same screened data."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

import flexemp
from flexemp.study.context import load_study_data
from flexemp.study.run import run_study
from flexemp.study.schema import parse_study

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"

# The runner and the test call the same estimator on the same rows: only summation order differs.
RTOL_SAME_CODE = 1e-10
# Percents are computed by describe/ and by pandas in floating point.
ATOL_PERCENT = 1e-9


def _run(name: str, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    out = tmp_path_factory.mktemp(name)
    run = run_study(EXAMPLES / f"{name}.yaml", out)
    spec = parse_study(EXAMPLES / f"{name}.yaml")
    data = load_study_data(spec)
    doc = json.loads((out / "results.json").read_text(encoding="utf-8"))
    return {
        "out": out,
        "run": run,
        "frame": data.frame,
        "doc": doc,
        "by_id": {a["id"]: a for a in doc["analyses"]},
    }


@pytest.fixture(scope="module")
def riders(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    return _run("riders_injury_insurance", tmp_path_factory)


@pytest.fixture(scope="module")
def finance(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    return _run("internet_flex_finance", tmp_path_factory)


def _check_outputs(r: dict[str, Any]) -> None:
    out: Path = r["out"]
    for name in ("report.html", "tables.docx", "tables.xlsx", "results.json"):
        assert (out / name).stat().st_size > 0, name
    for a in r["doc"]["analyses"]:
        for c in a["charts"]:
            for ext in ("png", "svg"):
                assert (out / "charts" / f"{a['id']}_{c['key']}.{ext}").stat().st_size > 0
    assert r["doc"]["failed"] is None


def _coef_check(model: dict[str, Any], formula: str, frame: pd.DataFrame) -> pd.DataFrame:
    """The stored coefficients equal flexemp.logit refitted on ``frame``; returns the refit."""
    ref = flexemp.logit(formula, frame).coefficients.set_index("term")
    got = pd.DataFrame(model["coefficients"]).set_index("term")
    assert list(got.index) == list(ref.index)
    for col in ("estimate", "std_error", "p_value", "conf_low", "conf_high"):
        np.testing.assert_allclose(
            got[col].to_numpy(float), ref[col].to_numpy(float), rtol=RTOL_SAME_CODE, err_msg=col
        )
    return ref


def _rows(table: dict[str, Any]) -> dict[str, list[Any]]:
    return {row["label"]: [c["value"] for c in row["cells"]] for row in table["rows"]}


# ---------------------------------------------------------------- seed 001
RIDER_VARS = [
    "unwilling",
    "sex",
    "hukou",
    "age_group",
    "married",
    "education",
    "health",
    "work_time",
    "knowledge",
    "publicity",
]
RIDER_X = [
    "knowledge",
    "publicity",
    "work_time",
    "health",
    "education",
    "married",
    "age_group",
    "hukou",
    "sex",
]


def test_riders_outputs_and_structure(riders: dict[str, Any]) -> None:
    _check_outputs(riders)
    doc = riders["doc"]
    assert [a["id"] for a in doc["analyses"]] == ["flow", "table1", "table2", "table3"]
    assert [a["type"] for a in doc["analyses"]] == [
        "sample_flow",
        "frequencies",
        "summary",
        "regression",
    ]
    for a in doc["analyses"]:
        assert [t["key"] for t in a["tables"]] == [a["id"]]
    assert doc["analyses"][1]["tables"][0]["title"].startswith("表1")
    assert doc["data"]["n"] == 100
    flow = doc["sample_flows"][0]
    assert flow["n_final"] == 100
    # the data have no multi-item scale: the study says so instead of running a reliability analysis
    assert "没有多题项量表" in riders["run"].spec.description
    assert flexemp.get_dataset("riders_shanghai").codebook().scales() == {}


# Seed 001: 103 questionnaires collected; 3 dropped (key variables missing, invalid); 100 valid.
RIDER_FLOW = [("意愿题已作答", 103, 1, 102), ("个人特征无缺失", 102, 1, 101), ("重复受访者（同一手机号）", 101, 1, 100)]


def test_riders_flow_reads_the_103_collected_questionnaires(riders: dict[str, Any]) -> None:
    flow = riders["doc"]["sample_flows"][0]
    assert (flow["n_read"], flow["n_invalid"], flow["n_final"]) == (103, 0, 100)
    assert [(s["rule"], s["n_before"], s["n_excluded"], s["n_after"]) for s in flow["steps"]] == RIDER_FLOW
    assert riders["doc"]["data"]["collected"] is True
    text = riders["by_id"]["flow"]["text"][0]
    assert text.startswith("共回收问卷103份，经“意愿题已作答”保留102份")
    assert "经“重复受访者（同一手机号）”保留100份" in text and "最终样本100份" in text


def test_riders_analyses_see_exactly_the_100_valid_rows(riders: dict[str, Any]) -> None:
    # the screened study frame is the valid sample, row for row (codes are floats after validation)
    valid = flexemp.get_dataset("riders_shanghai").generate()
    frame = riders["frame"]
    assert frame["resp_id"].tolist() == valid["resp_id"].tolist()
    np.testing.assert_array_equal(frame[RIDER_VARS].to_numpy(float), valid[RIDER_VARS].to_numpy(float))
    # and results.json holds the estimates computed on generate() itself
    formula = "unwilling ~ " + " + ".join(RIDER_X)
    _coef_check(riders["by_id"]["table3"]["results"]["models"][0], formula, valid)
    counts = pd.DataFrame(riders["by_id"]["table1"]["results"]["table"])
    for var in RIDER_VARS:
        got = counts[counts["variable"] == var].set_index("code")["count"]
        assert {float(k): int(v) for k, v in got.items()} == {
            float(k): int(v) for k, v in valid[var].value_counts().items()
        }, var


def test_riders_frequencies_sum_to_sample_and_match_data(riders: dict[str, Any]) -> None:
    frame = riders["frame"]
    table = pd.DataFrame(riders["by_id"]["table1"]["results"]["table"])
    assert len(frame) == 100
    for var in RIDER_VARS:
        part = table[table["variable"] == var]
        assert part["count"].sum() == 100, var
        direct = frame[var].value_counts()
        got = part.set_index("code")["count"]
        assert {float(k): int(v) for k, v in direct.items()} == {
            float(k): int(v) for k, v in got.items()
        }, var
        np.testing.assert_allclose(
            part["percent"].to_numpy(float), got.to_numpy(float), atol=ATOL_PERCENT
        )
    # one SPSSAU-style sentence per question; the majority answer is named with its percent
    text = riders["by_id"]["table1"]["text"]
    assert len(text) == len(RIDER_VARS)
    top = frame["unwilling"].value_counts(normalize=True)
    label = {0: "有意愿", 1: "没有意愿"}[int(top.idxmax())]
    assert f"“{label}”，占{100 * top.max():.2f}%" in text[0]


def test_riders_summary_means(riders: dict[str, Any]) -> None:
    frame = riders["frame"]
    rows = _rows(riders["by_id"]["table2"]["tables"][0])
    table = riders["by_id"]["table2"]["tables"][0]
    mean_col, sd_col = table["columns"].index("均值"), table["columns"].index("标准差")
    labels = {
        v: flexemp.get_dataset("riders_shanghai").codebook()[v].label("zh") for v in RIDER_VARS
    }
    for var in RIDER_VARS:
        cells = rows[labels[var]]
        assert cells[mean_col] == pytest.approx(frame[var].mean(), rel=RTOL_SAME_CODE)
        assert cells[sd_col] == pytest.approx(frame[var].std(ddof=1), rel=RTOL_SAME_CODE)


def test_riders_logit_equals_api(riders: dict[str, Any]) -> None:
    a = riders["by_id"]["table3"]
    formula = "unwilling ~ " + " + ".join(RIDER_X)
    assert a["results"]["formulas"] == [formula]
    ref = _coef_check(a["results"]["models"][0], formula, riders["frame"])
    # Table 3 shows every regressor (not collapsed into a "controls" row) with its SE and p beneath
    rows = _rows(a["tables"][0])
    cb = flexemp.get_dataset("riders_shanghai").codebook()
    for var in RIDER_X:
        assert rows[cb[var].label("zh")][0] == pytest.approx(
            ref.loc[var, "estimate"], rel=RTOL_SAME_CODE
        )
    beneath = [r for r in a["tables"][0]["rows"] if r["kind"] == "sub"]
    assert len(beneath) == 2 * (len(RIDER_X) + 1)  # SE and p of every regressor and the constant
    assert beneath[0]["cells"][0]["value"] == pytest.approx(
        ref.loc[RIDER_X[0], "std_error"], rel=RTOL_SAME_CODE
    )
    assert beneath[1]["cells"][0]["value"] == pytest.approx(
        ref.loc[RIDER_X[0], "p_value"], rel=RTOL_SAME_CODE
    )
    assert len(a["text"]) == 1 and cb[RIDER_X[0]].label("zh") in a["text"][0]


# ---------------------------------------------------------------- seed 003
PROFILE = [
    "education",
    "age",
    "sex",
    "hours",
    "fixed_hours",
    "job_hops",
    "income_stability",
    "income",
]
FINANCE = [
    "credit_constraint",
    "debt",
    "social_ins",
    "commercial_ins",
    "insurance_cost",
    "savings",
    "finance_exp",
]
MULTI = [
    "flex_reasons",
    "hop_reasons",
    "risks",
    "constraint_reasons",
    "debt_types",
    "channels",
    "no_si_reasons",
]
T4_X = [
    "region",
    "age",
    "sex",
    "education",
    "insurance_cost",
    "career_plan",
    "income",
    "expenditure",
    "debt",
    "savings",
    "finance_exp",
]
T6_X = [
    "region",
    "age",
    "sex",
    "education",
    "social_ins",
    "insurance_cost",
    "income",
    "debt",
    "finance_exp",
    "hours",
    "income_stability",
]


def test_finance_outputs_and_structure(finance: dict[str, Any]) -> None:
    _check_outputs(finance)
    ids = [a["id"] for a in finance["doc"]["analyses"]]
    assert ids == [
        "flow",
        "profile",
        *MULTI[:3],
        "finance",
        *MULTI[3:],
        "table3",
        "table4",
        "table6",
    ]
    by = finance["by_id"]
    assert [c["key"] for c in by["profile"]["charts"]] == PROFILE
    assert [c["key"] for c in by["finance"]["charts"]] == FINANCE
    for m in MULTI:
        assert [c["key"] for c in by[m]["charts"]] == ["options"], m
    assert finance["doc"]["data"]["n"] == 4629


@pytest.mark.parametrize(("analysis", "variables"), [("profile", PROFILE), ("finance", FINANCE)])
def test_finance_comparison_percents_equal_pandas(
    finance: dict[str, Any], analysis: str, variables: list[str]
) -> None:
    frame = finance["frame"]
    res = finance["by_id"][analysis]["results"]
    rows = pd.DataFrame(res["rows"])
    assert res["groups"] == [0.0, 1.0]
    assert set(rows["variable"]) == set(variables)
    for var in variables:
        direct = pd.crosstab(frame[var], frame["flexible"], normalize="columns") * 100
        part = rows[rows["variable"] == var]
        for r in part.itertuples():
            assert r.estimate == pytest.approx(direct.loc[r.code, r.group], abs=ATOL_PERCENT), (
                var,
                r.code,
            )
        tests = pd.DataFrame(res["tests"]).set_index("variable")
        assert tests.loc[var, "test"] == "chisq"
        # the chart shows the same shares (as proportions), one series per group
        chart = next(c for c in finance["by_id"][analysis]["charts"] if c["key"] == var)
        assert [s["name"] for s in chart["series"]] == ["稳定就业", "灵活就业"]
        for g, s in zip((0, 1), chart["series"], strict=True):
            shares = dict(zip(chart["categories"], s["values"], strict=True))
            for r in part[part["group"] == g].itertuples():
                assert shares[r.option] == pytest.approx(r.estimate / 100, abs=ATOL_PERCENT)
    # two groups: one sentence per variable, naming the χ² of the distribution
    text = finance["by_id"][analysis]["text"]
    assert len(text) == len(variables)
    assert all("χ²=" in t for t in text)


@pytest.mark.parametrize("question", MULTI)
def test_finance_multiselect_base_and_percents(finance: dict[str, Any], question: str) -> None:
    frame = finance["frame"]
    cb = flexemp.get_dataset("internet_flex_finance").codebook()
    cols = list(cb[question].stored_columns())
    answered = frame[cols].notna().any(axis=1)
    a = finance["by_id"][question]
    res = a["results"]
    assert res["base_n"] == int(answered.sum())
    assert res["n_not_asked"] == int((~answered).sum())
    table = pd.DataFrame(res["table"])
    base = frame[answered]
    chosen = base[cols].fillna(0)
    overall = table[table["group"] == "__all__"].set_index("column")
    for c in cols:
        assert overall.loc[c, "percent"] == pytest.approx(100 * chosen[c].mean(), abs=ATOL_PERCENT)
    if res["by"] is not None:
        for g, sub in chosen.groupby(base["flexible"]):
            part = table[table["group"] == g].set_index("column")
            assert int(part["base_n"].iloc[0]) == len(sub)
            for c in cols:
                assert part.loc[c, "percent"] == pytest.approx(
                    100 * sub[c].mean(), abs=ATOL_PERCENT
                )
    # base n stated: last table row, the table note and the first sentence
    tab = a["tables"][0]
    assert tab["rows"][-1]["label"] == "样本量（基数）"
    assert tab["rows"][-1]["cells"][-1]["value"] == res["base_n"]
    assert f"{res['base_n']:,}" in tab["notes"][0]
    assert f"基数为回答该题的{res['base_n']:,}人" in a["text"][0]


def test_finance_table4_logit_equals_api(finance: dict[str, Any]) -> None:
    a = finance["by_id"]["table4"]
    formula = "flexible ~ " + " + ".join(T4_X)
    assert a["results"]["formulas"] == [formula]
    ref = _coef_check(a["results"]["models"][0], formula, finance["frame"])
    # 95% CI beneath each coefficient, as in the seed's Table 4
    rows = a["tables"][0]["rows"]
    text = json.dumps(rows, ensure_ascii=False)
    lo, hi = ref.loc["education", "conf_low"], ref.loc["education", "conf_high"]
    assert f"[{lo:.3f}, {hi:.3f}]" in text


def test_finance_table6_is_the_flexible_subsample(finance: dict[str, Any]) -> None:
    a = finance["by_id"]["table6"]
    formula = "credit_constraint ~ " + " + ".join(T6_X)
    model = a["results"]["models"][0]
    frame = finance["frame"]
    flexible_only = frame[frame["flexible"] == 1]
    _coef_check(model, formula, flexible_only)
    assert model["sample"]["nobs"] == len(flexible_only) == 2110
    assert a["results"]["subset"] == {"where": "flexible == 1", "wave": None, "n": 2110, "n_study": len(frame)}
    assert "灵活就业者样本" in a["title"]


def test_docs_section_examples_run() -> None:
    """The Python examples of docs/studies.md, section "Seed 001 and seed 003 studies", run."""
    import re

    text = (ROOT / "docs" / "studies.md").read_text(encoding="utf-8")
    section = text[text.index("## Seed 001 and seed 003 studies") :]
    nxt = section.find("\n## ", 5)
    blocks = re.findall(r"```python\n(.*?)```", section if nxt < 0 else section[:nxt], re.S)
    assert blocks
    for block in blocks:
        exec(compile(block, "docs/studies.md", "exec"), {})
