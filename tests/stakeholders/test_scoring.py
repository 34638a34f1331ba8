"""Mitchell scoring: means and SDs, levels with ties, types and their reasons, forms of input."""

from __future__ import annotations

import dataclasses
import json
import math

import numpy as np
import pandas as pd
import pytest

from flexemp.stakeholders import mitchell
from flexemp.stakeholders.rules import classify, score_levels

from .helpers import to_long, wide_scores

# means chosen so that every level and type is determined by hand (thresholds 6 and 8)
MEANS = {
    "A": (8.0, 8.0, 8.0),  # exactly at the high threshold → high ×3 → definitive
    "B": (6.0, 6.0, 6.0),  # exactly at the low threshold → medium ×3 → expectant
    "C": (7.75, 5.75, 5.75),  # medium, low, low → latent
    "D": (9.0, 9.0, 7.0),  # high, high, medium → no rule
    "E": (2.0, 3.0, 9.5),  # low, low, high → latent
}


@pytest.fixture
def result():
    return mitchell(wide_scores(MEANS, spread=0.5))


def test_means_and_sds_by_construction(result):
    s = result.summary.set_index("stakeholder")
    for name, m in MEANS.items():
        for attr, v in zip(("legitimacy", "power", "urgency"), m, strict=True):
            assert s.loc[name, f"{attr}_mean"] == v
            # two experts at v ± 0.5: SD (ddof=1) = 0.5·√2
            assert s.loc[name, f"{attr}_sd"] == pytest.approx(0.5 * math.sqrt(2), rel=1e-12)
    assert result.n_experts == 2 and result.n_stakeholders == 5
    assert result.attributes["n_experts"].eq(2).all()


def test_ties_go_up_and_levels(result):
    s = result.summary.set_index("stakeholder")
    assert s.loc["A", ["legitimacy_level", "power_level", "urgency_level"]].tolist() == ["high"] * 3
    assert (
        s.loc["B", ["legitimacy_level", "power_level", "urgency_level"]].tolist() == ["medium"] * 3
    )
    assert s.loc["C", ["legitimacy_level", "power_level", "urgency_level"]].tolist() == [
        "medium",
        "low",
        "low",
    ]


def test_types_and_reasons(result):
    s = result.summary.set_index("stakeholder")
    assert s["type"].to_dict() == {
        "A": "definitive",
        "B": "expectant",
        "C": "latent",
        "D": "unclassified",
        "E": "latent",
    }
    assert s.loc["D", "reason"].startswith("matches no rule: 2 high, 1 medium, 0 low")
    assert "不符合任何规则" in s.loc["D", "reason_zh"]
    assert s.loc["B", "reason"] == "3 attributes medium (expectant needs >= 2)"


def test_just_below_thresholds_goes_down():
    levels = score_levels(np.array([8.0 - 1e-6, 6.0 - 1e-6, 8.0, 6.0, 10.0, 0.0]), (6, 8))
    assert levels.tolist() == ["medium", "low", "high", "medium", "high", "low"]


def test_floating_point_sum_at_threshold_counts_as_tie():
    # (7.2 + 7.6 + 9.2) / 3 is 8 on paper but 7.999999999999999 in floating point
    frame = pd.DataFrame(
        {
            "expert": ["a", "b", "c"],
            "stakeholder": ["X"] * 3,
            "legitimacy": [7.2, 7.6, 9.2],
            "power": [9, 9, 9],
            "urgency": [9, 9, 9],
        }
    )
    frame = pd.concat(
        [frame, frame.assign(stakeholder="Y", legitimacy=1.0, power=1.0, urgency=1.0)]
    )
    res = mitchell(frame, n_clusters=2)
    assert res.summary.loc[0, "legitimacy_mean"] < 8  # the float really is below 8
    assert res.summary.loc[0, "legitimacy_level"] == "high"
    assert res.summary.loc[0, "type"] == "definitive"


def test_custom_thresholds_move_levels():
    res = mitchell(
        wide_scores({"P": (7.0, 5.0, 4.5), "Q": (1.0, 1.0, 1.0)}), thresholds=(5, 7), n_clusters=2
    )
    assert res.summary.loc[0, ["legitimacy_level", "power_level", "urgency_level"]].tolist() == [
        "high",
        "medium",
        "low",
    ]
    assert res.summary.loc[0, "type"] == "unclassified"
    assert res.thresholds == (5.0, 7.0)


def test_ambiguous_when_two_rules_match():
    # impossible with three attributes; with four, two medium and two low match both rules
    types, reasons, reasons_zh = classify(
        np.array([["medium", "medium", "low", "low"], ["high", "high", "high", "high"]])
    )
    assert types.tolist() == ["ambiguous", "definitive"]
    assert reasons[0] == "matches expectant and latent: 0 high, 2 medium, 2 low"
    assert reasons_zh[0].startswith("同时符合预期型、潜在型")


def test_long_wide_and_chinese_names_give_the_same_result(result):
    wide = wide_scores(MEANS, spread=0.5)
    long = to_long(wide)
    zh = wide.rename(columns={"legitimacy": "合法性", "power": "权力性", "urgency": "紧急性"})
    long_zh = long.assign(
        attribute=long["attribute"].map(
            {"legitimacy": "合法性", "power": "权力性", "urgency": "紧急性"}
        )
    )
    for frame, form in ((long, "long"), (zh, "wide"), (long_zh, "long")):
        other = mitchell(frame)
        assert other.input_form == form
        pd.testing.assert_frame_equal(other.summary, result.summary)


def test_row_order_does_not_change_the_classification(result):
    long = to_long(wide_scores(MEANS, spread=0.5))
    shuffled = long.sample(frac=1.0, random_state=np.random.default_rng(7).integers(1 << 31))
    other = mitchell(shuffled)
    mine = result.summary.set_index("stakeholder").sort_index()
    theirs = other.summary.set_index("stakeholder").sort_index()
    pd.testing.assert_frame_equal(mine, theirs, check_exact=False, rtol=1e-12)


def test_input_not_modified():
    wide = wide_scores(MEANS, spread=0.5)
    before = wide.copy()
    mitchell(wide)
    pd.testing.assert_frame_equal(wide, before)


def test_table_zh_and_en(result):
    zh = result.table()
    assert zh.columns.tolist() == ["利益相关者", "合法性均值", "权力性均值", "紧急性均值", "类型"]
    assert zh["类型"].tolist() == ["确定型", "预期型", "潜在型", "未归类", "潜在型"]
    assert zh.loc[2, "合法性均值"] == 7.75
    en = result.table(lang="en")
    assert en.columns.tolist() == [
        "Stakeholder",
        "Legitimacy (mean)",
        "Power (mean)",
        "Urgency (mean)",
        "Type",
    ]
    assert en["Type"].iloc[3] == "unclassified"


def test_to_dict_is_json_and_frozen(result):
    out = json.loads(json.dumps(result.to_dict()))
    assert set(out) == {"settings", "stakeholders", "clusters", "agreement"}
    assert (
        out["stakeholders"][0]["stakeholder"] == "A"
        and out["stakeholders"][0]["type"] == "definitive"
    )
    assert set(out["clusters"]) == {"legitimacy", "power", "urgency"}
    assert out["settings"]["linkage"] == "average"
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.linkage = "ward"  # type: ignore[misc]
