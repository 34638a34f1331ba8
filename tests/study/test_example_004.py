"""The seed-004 quarterly-monitor study (examples/flex_sentiment.yaml) against the APIs it calls.

Every expected number is recomputed here from the public APIs (screening, census margins,
raking, diffusion_index) on the same embedded data, never typed by hand.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import yaml

from flexemp.codebook import parse_codebook
from flexemp.core.errors import IndexInputError, StudyError
from flexemp.indices import diffusion_index, expectation_gap, scores_from_codebook
from flexemp.ingest.validate import validate
from flexemp.screening.flow import screen
from flexemp.study.run import run_study
from flexemp.synth import get_dataset
from flexemp.weighting import rake
from flexemp.weighting.census import census_margins, level_map_from_codebook

STUDY = Path(__file__).resolve().parents[2] / "examples" / "flex_sentiment.yaml"
WAVES = ("2022Q1", "2022Q2")
RTOL_SAME_CODE = 1e-10  # the same sums in the same order: only float rounding differs
ATOL_RAKED = 1e-8  # raking converges to the census shares at its default tolerance (1e-10)
FLEX = "emp_status == 1 and (job_type == 2 or (job_type == 3 and biz_registered == 0))"


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    out = tmp_path_factory.mktemp("fs")
    run_study(STUDY, out)
    return out, json.loads((out / "results.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def reference() -> dict[str, Any]:
    """Screen, rake (adults, province → census) and select flexible workers with the APIs."""
    spec = yaml.safe_load(STUDY.read_text(encoding="utf-8"))
    ds = get_dataset("flex_sentiment")
    cb = ds.codebook()
    target = census_margins("province", level_map=level_map_from_codebook(cb["province"], "province"))
    flows, frames, adults = [], [], []
    for w in WAVES:
        valid = validate(ds.generate(wave=w), cb).data
        res = screen(valid, cb, spec["screening"])
        flows.append(res.to_dict())
        adult = valid[(res.excluded_by != spec["screening"][0]["name"]).fillna(True).to_numpy()]
        r = rake(adult, {"province": target.to_dict()})
        adult = adult.assign(w=r.weights.to_numpy(), wave=w)
        adults.append(adult)
        frames.append(adult[res.kept.loc[adult.index].to_numpy()])
    return {"flows": flows, "flex": pd.concat(frames, ignore_index=True), "adults": adults, "target": target,
            "codebook": cb}


def _analysis(results: dict[str, Any], aid: str) -> dict[str, Any]:
    return next(a for a in results["analyses"] if a["id"] == aid)


def test_outputs_and_structure(run: tuple[Path, dict[str, Any]]) -> None:
    out, res = run
    for name in ("report.html", "tables.docx", "tables.xlsx", "results.json"):
        assert (out / name).stat().st_size > 0
    assert res["failed"] is None
    assert [a["id"] for a in res["analyses"]] == [
        "flow", "weights", "table1", "table2", "table3", "table4", "fig16", "fig20", "fig30", "fig31", "fig32",
        "table5", "table6", "table7", "table8"]
    assert res["data"]["waves"] == list(WAVES)
    assert res["data"]["census"]["weighted"]["province"]["source"].startswith("第七次全国人口普查公报（第三号）")
    assert set(res["data"]["census"]["compared"]) == {"sex", "age_band"}
    t5 = _analysis(res, "table5")["results"]
    assert set(t5) >= {"indices", "change", "expectation_indices", "expectation_gaps", "scores"}
    assert t5["scores"] == {"1": 1.0, "2": 0.5, "3": 0.0, "4": -0.5, "5": -1.0}


def test_sample_flow_equals_screening_api(run: tuple[Path, dict[str, Any]], reference: dict[str, Any]) -> None:
    _, res = run
    for flow, ref in zip(res["sample_flows"], reference["flows"], strict=True):
        assert flow["steps"] == ref["steps"]
        assert flow["n_final"] == ref["n_final"]
        assert flow["n_read"] == ref["n_start"]
    q2 = res["sample_flows"][1]
    assert q2["steps"][0]["n_before"] == 26276 and q2["steps"][0]["n_after"] == 26252  # the seed's flow
    table = _analysis(res, "flow")["tables"][0]
    kept = next(r for r in table["rows"] if r["label"] == "保留：识别灵活就业群体")
    n, share = kept["cells"][2]["value"], kept["cells"][3]["value"]
    assert n == q2["steps"][1]["n_after"]
    assert share == pytest.approx(q2["steps"][1]["n_after"] / q2["steps"][1]["n_before"], rel=1e-12)
    assert "emp_status == 1" in " ".join(table["notes"])


def test_weighted_share_of_flexible_workers(run: tuple[Path, dict[str, Any]], reference: dict[str, Any]) -> None:
    _, res = run
    for flow, adult, flex in zip(res["sample_flows"], reference["adults"],
                                 [reference["flex"][reference["flex"]["wave"] == w] for w in WAVES], strict=True):
        assert flow["weighted_share_final"] == pytest.approx(flex["w"].sum() / adult["w"].sum(), rel=RTOL_SAME_CODE)


def test_raked_margins_equal_census(run: tuple[Path, dict[str, Any]], reference: dict[str, Any]) -> None:
    _, res = run
    target = reference["target"]
    for wres, adult in zip(_analysis(res, "weights")["results"]["weighting"], reference["adults"], strict=True):
        m = pd.DataFrame(wres["margins"])
        assert len(m) == 31
        after = pd.Series(m["after"].to_numpy(), index=m["level"].astype(float))
        np.testing.assert_allclose(after.loc[[float(k) for k in target.index]].to_numpy(), target.to_numpy(),
                                   atol=ATOL_RAKED, rtol=0)
        # the sample itself, weighted with the reference weights, also meets the census shares
        shares = adult.groupby("province")["w"].sum() / adult["w"].sum()
        np.testing.assert_allclose(shares.loc[[float(k) for k in target.index]].to_numpy(), target.to_numpy(),
                                   atol=ATOL_RAKED, rtol=0)
    comp = pd.DataFrame(_analysis(res, "weights")["results"]["comparisons"][1])
    sex = comp[comp["variable"] == "sex"].set_index("level")
    np.testing.assert_allclose(sex["target"].to_numpy(), census_margins("sex").loc[sex.index].to_numpy(), rtol=1e-12)
    q2 = reference["adults"][1]
    assert sex.loc["男", "before"] == pytest.approx(float((q2["sex"] == 1).mean()), rel=1e-12)
    assert sex.loc["男", "after"] == pytest.approx(float(q2.loc[q2["sex"] == 1, "w"].sum() / q2["w"].sum()), rel=1e-12)


@pytest.mark.parametrize(("aid", "by"), [("table5", None), ("table6", "industry"), ("table7", "occupation")])
def test_indices_equal_api(run: tuple[Path, dict[str, Any]], reference: dict[str, Any], aid: str, by: str | None) -> None:
    _, res = run
    got = pd.DataFrame(_analysis(res, aid)["results"]["indices"])
    ref = diffusion_index(reference["flex"], ["emp_change", "inc_change", "cons_change"], by=by, wave="wave",
                          weights="w", codebook=reference["codebook"], min_n=30)
    assert len(got) == len(ref)
    for col in ("index", "se", "conf_low", "conf_high", "n_eff"):
        np.testing.assert_allclose(got[col].astype(float).to_numpy(), ref[col].to_numpy(), rtol=RTOL_SAME_CODE)
    assert got["n"].tolist() == ref["n"].tolist()


def test_expectation_gap_equals_api(run: tuple[Path, dict[str, Any]], reference: dict[str, Any]) -> None:
    _, res = run
    gaps = pd.DataFrame(_analysis(res, "table8")["results"]["expectation_gaps"]["cons_change"])
    q2 = reference["flex"][reference["flex"]["wave"] == "2022Q2"]
    ref = expectation_gap(q2, "cons_change", "cons_expect", by="industry", weights="w", min_n=30)
    np.testing.assert_allclose(gaps["gap"].astype(float).to_numpy(), ref["gap"].to_numpy(), rtol=RTOL_SAME_CODE)
    np.testing.assert_allclose(gaps["se"].astype(float).to_numpy(), ref["se"].to_numpy(), rtol=RTOL_SAME_CODE)


def test_small_cells_suppressed(tmp_path: Path, reference: dict[str, Any]) -> None:
    spec = yaml.safe_load(STUDY.read_text(encoding="utf-8"))
    spec["analyses"] = [a for a in spec["analyses"] if a["id"] == "table7"]
    spec["analyses"][0]["min_n"] = 300
    path = tmp_path / "small.yaml"
    path.write_text(yaml.safe_dump(spec, allow_unicode=True), encoding="utf-8")
    run_study(path, tmp_path / "out")
    res = json.loads((tmp_path / "out" / "results.json").read_text(encoding="utf-8"))
    a = _analysis(res, "table7")
    ind = pd.DataFrame(a["results"]["indices"])
    small = ind["n"] < 300
    assert small.any() and (~small).any()
    assert ind.loc[small, "suppressed"].all() and not ind.loc[~small, "suppressed"].any()
    assert ind.loc[small, "index"].isna().all()
    # table cells: "—" exactly where the JSON flags suppression
    cb = reference["codebook"]["occupation"]
    rows = [r for r in a["tables"][0]["rows"] if r["kind"] == "body"]
    dashes = 0
    for var_i, var in enumerate(["emp_change", "inc_change", "cons_change"]):
        for r in rows[var_i * 11:(var_i + 1) * 11]:
            code = next(c.value for c in cb.codes if c.label_zh == r["label"])
            for w_i, w in enumerate(WAVES):
                rec = ind[(ind["var"] == var) & (ind["wave"] == w) & (ind["group"] == code)].iloc[0]
                flag = rec["suppressed"]
                assert (r["cells"][2 * w_i]["text"] == "—") == bool(flag)
                if flag:  # the next cell gives the number of answers (one rule with the dashboard)
                    assert r["cells"][2 * w_i + 1]["text"] == f"n={int(rec['n'])}"
                dashes += bool(flag)
    assert dashes == int(small.sum())


def _variable(labels: dict[int, str]) -> Any:
    cb = parse_codebook({"dataset": "d", "variables": [
        {"name": "q", "type": "ordinal", "label_zh": "问题", "codes": labels}]})
    return cb["q"]


@pytest.mark.parametrize("labels", [
    {1: "变好很多", 2: "变好一点", 3: "基本不变", 4: "变差一点", 5: "变差很多"},
    {1: "增加很多", 2: "增加一点", 3: "基本不变", 4: "减少一点", 5: "减少很多"},
    {5: "大幅增加", 4: "略有增加", 3: "持平", 2: "略有减少", 1: "大幅减少"},
])
def test_scores_from_codebook_maps_each_label(labels: dict[int, str]) -> None:
    scores = scores_from_codebook(_variable(labels))
    expected = dict(zip(sorted(labels, key=lambda k: list(labels).index(k)), [1.0, 0.5, 0.0, -0.5, -1.0], strict=True))
    assert scores == {float(k): v for k, v in expected.items()}


def test_scores_from_codebook_refuses_unknown_label() -> None:
    with pytest.raises(IndexInputError, match="说不清"):
        scores_from_codebook(_variable({1: "变好很多", 2: "基本不变", 3: "说不清"}))
    with pytest.raises(IndexInputError, match=r"same|several codes"):
        scores_from_codebook(_variable({1: "变好很多", 2: "增加很多"}))


def test_bad_weight_stage_refused(tmp_path: Path) -> None:
    spec = yaml.safe_load(STUDY.read_text(encoding="utf-8"))
    spec["weights"]["after"] = "没有这一步"
    spec["analyses"] = spec["analyses"][:1]
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(spec, allow_unicode=True), encoding="utf-8")
    with pytest.raises(StudyError, match="not a screening step"):
        run_study(path, tmp_path / "out")
