"""The study file is checked completely before anything runs; failures name the step and option."""

from __future__ import annotations

import json

import pytest

from flexemp.core.errors import StudyError
from flexemp.study.run import check_study, run_study
from flexemp.study.schema import parse_study, term_names

GOOD = """
study: mini
title: 小研究
data: {dataset: platform_workers}
analyses:
  - {id: t1, type: summary, title: 表1, variables: [life_sat, contract]}
  - id: t2
    type: regression
    title: 表2
    model: oprobit
    outcome: life_sat
    treatments: [contract]
    controls: [male, age]
"""


def test_a_good_study_parses_and_checks():
    spec, codebook = check_study(GOOD)
    assert [a.id for a in spec.analyses] == ["t1", "t2"]
    assert spec.language == "zh" and "life_sat" in codebook


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (("title: 小研究", "titel: 小研究"), "unknown key 'titel' (did you mean 'title'?)"),
        (("type: summary", "type: sumary"), "unknown type 'sumary' (did you mean 'summary'?)"),
        (("    controls: [male, age]", "    controlz: [male, age]"), "unknown key 'controlz'"),
        (("    outcome: life_sat\n", ""), "missing key 'outcome'"),
        (("id: t2", "id: t1"), "duplicate id 't1'"),
        (("data: {dataset: platform_workers}", "data: {dataset: platform_workers, file: x.csv}"),
         "exactly one of dataset, file, warehouse"),
        (("title: 小研究", "title: 小研究\nlanguage: fr"), "language must be 'zh' or 'en'"),
        (("title: 小研究", "title: 小研究\noutputs: [html, pdf]"), "outputs: unknown ['pdf']"),
    ],
)
def test_structural_problems_are_reported(edit, message):
    text = GOOD.replace(*edit)
    assert text != GOOD
    with pytest.raises(StudyError) as err:
        parse_study(text)
    assert message in str(err.value)


def test_every_problem_is_listed_at_once_with_lines():
    text = GOOD.replace("title: 小研究", "titel: x").replace("type: summary", "type: nope")
    with pytest.raises(StudyError, match=r"2 problem\(s\)") as err:
        parse_study(text)
    assert "analyses[1] (line 6)" in str(err.value)  # GOOD starts with an empty line


def test_variables_missing_from_the_codebook_name_the_analysis_and_option():
    text = GOOD.replace("controls: [male, age]", "controls: [male, agee]")
    with pytest.raises(StudyError) as err:
        check_study(text)
    msg = str(err.value)
    assert "analysis 't2'" in msg and "option 'controls'" in msg and "'agee'" in msg and "'age'" in msg


def test_option_values_are_checked_before_running(tmp_path):
    text = GOOD.replace("    controls: [male, age]", "    controls: [male, age]\n    vcov: clustered")
    out = tmp_path / "never"
    with pytest.raises(StudyError, match="'clustered' is not one of classical, robust, cluster"):
        run_study(text, out)
    assert not out.exists()  # nothing ran, nothing was written


@pytest.mark.parametrize(("stars", "message"), [
    ("[0.05, 0.05]", "repeated"), ("[0.1, 0.05, 0.01, 0.001]", "at most 3"), ("[0, 0.05]", "(0, 1)"),
    ("0.05", "give a list")])
def test_stars_are_checked_by_the_tables_rule_before_running(tmp_path, stars, message):
    """A study refuses, before anything runs, every ``stars`` value the tables would refuse."""
    text = GOOD.replace("    controls: [male, age]", f"    controls: [male, age]\n    stars: {stars}")
    out = tmp_path / "never"
    with pytest.raises(StudyError, match="option 'stars'") as err:
        run_study(text, out)
    assert message in str(err.value) and not out.exists()


def test_term_names_find_variables_inside_formula_terms():
    assert term_names("C(province)") == ["province"]
    assert term_names("contract:own_home") == ["contract", "own_home"]
    assert term_names("np.log(age)") == ["age"]


def test_a_failing_analysis_keeps_the_finished_ones(tmp_path):
    text = GOOD + """
  - id: t3
    type: selection_correction
    title: 表3
    outcome: life_sat
    treatment: training_days
    controls: [male]
"""
    with pytest.raises(StudyError) as err:
        run_study(text, tmp_path)
    msg = str(err.value)
    assert "step 3 of 3" in msg and "analysis 't3'" in msg and "training_days" in msg
    assert "t1, t2" in msg
    doc = json.loads((tmp_path / "results.json").read_text(encoding="utf-8"))
    assert [a["id"] for a in doc["analyses"]] == ["t1", "t2"]
    assert "step 3 of 3" in doc["failed"]
    assert "运行未完成" in (tmp_path / "report.html").read_text(encoding="utf-8")


def test_two_runs_give_identical_outputs(tmp_path):
    run_study(GOOD, tmp_path / "a")
    run_study(GOOD, tmp_path / "b")
    for name in ("results.json", "report.html"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name


def test_where_and_wave_select_the_rows_an_analysis_sees(tmp_path):
    import flexemp
    from flexemp.synth import get_dataset

    text = GOOD.replace("    controls: [male, age]", "    controls: [male, age]\n    where: \"married == 0 and age < 30\"\n"
                        "    note: 样本为30岁以下未婚者。")
    run = run_study(text, tmp_path)
    out = run.outputs[1]
    d = get_dataset("platform_workers").generate()
    sub = d[(d["married"] == 0) & (d["age"] < 30)]
    res = flexemp.oprobit("life_sat ~ contract + male + age", sub)
    assert out.results["subset"]["n"] == len(sub) and out.results["subset"]["n_study"] == len(d)
    assert out.results["models"][0]["coefficients"][0]["estimate"] == pytest.approx(float(res.params["contract"]))
    assert out.tables[0].notes[-1] == "样本为30岁以下未婚者。" and "显著" in out.tables[0].notes[0]
    with pytest.raises(StudyError, match="unknown variable 'marry'"):
        check_study(text.replace("married == 0", "marry == 0"))
    with pytest.raises(StudyError, match="the study has no waves"):
        run_study(GOOD.replace("type: summary,", "type: summary, wave: 2022Q2,"), tmp_path / "w")


def test_a_model_without_treatments_gets_a_paragraph_and_combined_brackets(tmp_path):
    text = GOOD.replace("    treatments: [contract]\n", "").replace(
        "    controls: [male, age]", "    controls: [contract, male, age]\n    collapse_controls: false\n"
        "    beneath: se+p")
    out = run_study(text, tmp_path).outputs[1]
    assert len(out.text) == 1 and "劳动合同" in out.text[0]
    labels = [r.label for r in out.tables[0].rows]
    i = labels.index("劳动合同")
    assert [r.kind for r in out.tables[0].rows[i:i + 3]] == ["body", "sub", "sub"]
    assert out.tables[0].rows[i + 2].cells[0].text.startswith("[")


@pytest.mark.parametrize(("kind", "extra"), [("crosstab", "row: male, col: married, chart: true"),
                                            ("reliability", "items: [health, sleep], label: x"),
                                            ("heckman", "outcome: life_sat, selection: contract, model: ols")])
def test_options_a_type_does_not_use_are_refused(kind, extra):
    text = GOOD.replace("  - {id: t1, type: summary, title: 表1, variables: [life_sat, contract]}",
                        f"  - {{id: t1, type: {kind}, {extra}}}")
    with pytest.raises(StudyError, match="unknown key"):
        parse_study(text)
