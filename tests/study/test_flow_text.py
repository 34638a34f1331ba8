"""The sample-flow sentence: shares of the questionnaires returned, rows failing validation said first."""

from __future__ import annotations

import json
import shutil

import pandas as pd

from flexemp.demo import demo_rules_path
from flexemp.study.run import run_study
from flexemp.synth.export import write_synthetic


def test_flow_sentence_counts_rows_that_fail_validation(tmp_path):
    raw = write_synthetic("riders_shanghai", tmp_path / "riders.csv")  # the 100 valid questionnaires
    df = pd.read_csv(raw)
    df.loc[[4, 9], "education"] = 9  # not a code of the codebook: quarantined by validation
    df.to_csv(raw, index=False)
    shutil.copy(demo_rules_path("riders_shanghai"), tmp_path / "rules.yaml")
    study = tmp_path / "s.yaml"
    study.write_text(
        "study: flow\ntitle: t\ndata: {file: riders.csv, codebook: riders.csv.codebook.yaml}\n"
        "screening: rules.yaml\noutputs: [json]\nanalyses:\n  - {id: flow, type: sample_flow, title: 样本}\n",
        encoding="utf-8")
    run_study(study, tmp_path / "out")
    doc = json.loads((tmp_path / "out" / "results.json").read_text(encoding="utf-8"))
    flow = doc["sample_flows"][0]
    assert (flow["n_read"], flow["n_invalid"], flow["n_final"]) == (100, 2, 98)
    text = next(a for a in doc["analyses"] if a["id"] == "flow")["text"][0]
    assert text.startswith("共回收问卷100份，其中2份未通过数据校验，经“意愿题已作答”保留98份")
    assert text.endswith("最终样本98份（占回收问卷的98.0%）。")
