"""examples/platform_care.yaml (seed 000 Tables 1-12) runs, and its outputs hold the fitted models' numbers."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

import flexemp
from flexemp.study.run import run_study
from flexemp.synth import get_dataset

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "platform_care.yaml"
CONTROLS = ["male", "age", "married", "education", "own_home", "health", "sleep", "daily_hours",
            "days_per_week", "community", "loan", "night_work", "central_west"]


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    out = tmp_path_factory.mktemp("platform_care")
    result = run_study(EXAMPLE, out)
    doc = json.loads((out / "results.json").read_text(encoding="utf-8"))
    return result, doc, out


@pytest.fixture(scope="module")
def data():
    return get_dataset("platform_workers").generate()


def _analysis(doc, aid):
    return next(a for a in doc["analyses"] if a["id"] == aid)


def test_every_table_of_the_seed_is_there(run):
    _, doc, out = run
    assert [a["id"] for a in doc["analyses"]] == ["flow", "table1", "vif", "table2", "table3", "table4",
                                                  "table5", "mechanism", "heterogeneity"]
    keys = [t["key"] for a in doc["analyses"] for t in a["tables"]]
    assert {"table1", "vif", "table2", "table3", "table4", "table5"} <= set(keys)
    assert sum(k.startswith("mechanism_") for k in keys) == 3  # Tables 6-8: one per mediator
    assert sum(k.startswith("heterogeneity_") for k in keys) == 4  # Tables 9-12: one per moderator
    for name in ("report.html", "tables.docx", "tables.xlsx", "results.json", "charts/table2_coef.png",
                 "charts/table2_coef.svg", "timings.json"):
        assert (out / name).stat().st_size > 0, name
    assert doc["sample_flows"][0]["n_final"] == 2007 and doc["data"]["n"] == 2007


def test_table2_cells_are_the_ordered_probits_with_clustered_ses(run, data):
    _, doc, _ = run
    a = _analysis(doc, "table2")
    table = a["tables"][0]
    for j, treat in enumerate(["contract", "training", "training_days", "skill_guidance", "rule_briefing"]):
        res = flexemp.oprobit(f"life_sat ~ {treat} + {' + '.join(CONTROLS)}", data, vcov="cluster",
                              cluster="employer_id")
        row = res.coefficients.set_index("term").loc[treat]
        i = next(k for k, r in enumerate(table["rows"]) if r["cells"][j]["value"] is not None and r["kind"] == "body"
                 and r["label"] == res_label(treat))
        assert table["rows"][i]["cells"][j]["value"] == pytest.approx(row["estimate"], rel=1e-10)
        assert table["rows"][i + 1]["cells"][j]["value"] == pytest.approx(row["std_error"], rel=1e-10)
        stored = {c["term"]: c for c in a["results"]["models"][j]["coefficients"]}
        assert stored[treat]["p_value"] == pytest.approx(row["p_value"], rel=1e-10)
    assert "聚类标准误" in " ".join(table["notes"])
    assert any("系数为" in t for t in a["text"])


def res_label(term):
    return get_dataset("platform_workers").codebook()[term].label("zh")


def test_iv_psm_and_selection_tables_hold_the_api_numbers(run, data):
    _, doc, _ = run
    z = flexemp.loo_mean(data, "contract", "province", exclude="employer_id")
    iv = flexemp.iv2sls(f"life_sat ~ {' + '.join(CONTROLS)} + [contract ~ {z.name}]", data.assign(**{z.name: z}),
                        vcov="cluster", cluster="employer_id")
    stored = {c["term"]: c for c in _analysis(doc, "table3")["results"]["models"][0]["coefficients"]}
    assert stored["contract"]["estimate"] == pytest.approx(float(iv.params["contract"]), rel=1e-10)
    m = flexemp.psm(data, treat="contract", outcome="life_sat", covariates=CONTROLS)
    psm_doc = _analysis(doc, "table4")["results"]["models"][0]
    assert psm_doc["att"] == pytest.approx(m.to_dict()["att"], rel=1e-12)
    att_cells = [c["value"] for r in _analysis(doc, "table4")["tables"][0]["rows"] for c in r["cells"]]
    assert any(v is not None and np.isclose(v, psm_doc["att"], rtol=1e-12) for v in att_cells)


def test_office_files_hold_every_table(run):
    import docx
    import openpyxl

    _, doc, out = run
    n_tables = sum(len(a["tables"]) for a in doc["analyses"])
    assert len(docx.Document(str(out / "tables.docx")).tables) == n_tables
    assert len(openpyxl.load_workbook(out / "tables.xlsx").sheetnames) == n_tables


def test_report_is_self_contained(run):
    _, _, out = run
    page = (out / "report.html").read_text(encoding="utf-8")
    assert "http://" not in page and "https://" not in page
    assert page.count("<table") >= 15 and "<svg" in page and "表2 基准回归结果" in page


def test_the_cli_runs_a_bundled_study_by_name(tmp_path):
    from typer.testing import CliRunner

    from flexemp.cli import app

    res = CliRunner().invoke(app, ["run", "platform_care", "--check", "--json"])
    assert res.exit_code == 0, res.output
    assert json.loads(res.output)["analyses"][0] == "flow"
    bad = CliRunner().invoke(app, ["run", "no_such_study"])
    assert bad.exit_code != 0 and "bundled:" in bad.output and "Traceback" not in bad.output


def test_the_synthetic_truth_is_recovered(run, tmp_path):
    """Issue #4 item 9: the instruments are strong, the self-selection term has the DGP's sign, and the
    true care effects on the mediators lie inside the CIs of correctly specified models."""
    _, doc, _ = run
    truth = get_dataset("platform_workers").truth
    for m in _analysis(doc, "table3")["results"]["models"]:
        d = m["diagnostics"]
        assert d["kp_rk_wald_f"]["stat"] > d["stock_yogo_10"]["stat"]  # strong by Stock-Yogo's 10% size
        assert d["kp_rk_lm"]["p_value"] < 0.01
    assert truth["selection"]["rho"] < 0
    for m in _analysis(doc, "table5")["results"]["models"]:
        assert m["lambda"] < 0 and m["lambda_p_value"] < 0.05  # negative selection, detected
    care = ["contract", "training", "training_days", "skill_guidance", "rule_briefing"]
    study = {"study": "truth", "data": {"dataset": "platform_workers"}, "outputs": ["json"], "analyses": []}
    for med, model in (("injury", "probit"), ("identity", "oprobit")):  # the DGP's own equations
        rhs = [k if k != "age_z" else "age" for k in truth[med] if k not in care]
        study["analyses"].append({"id": med, "type": "regression", "model": model, "outcome": med,
                                  "controls": care + rhs, "collapse_controls": False, "vcov": "cluster",
                                  "cluster": "employer_id"})
    import yaml

    out = run_study(yaml.safe_dump(study, allow_unicode=True), tmp_path)
    for o in out.outputs:
        coefs = {c["term"]: c for c in o.results["models"][0]["coefficients"]}
        for t in care:
            assert coefs[t]["conf_low"] <= truth[o.id][t] <= coefs[t]["conf_high"], (o.id, t)

