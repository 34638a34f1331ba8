"""The clustering check: cluster levels by centroid order, agreement with the rule, dendrogram data."""

from __future__ import annotations

import numpy as np
import pytest

from flexemp.stakeholders import mitchell
from flexemp.stakeholders.clustering import rank_levels

from .helpers import wide_scores

# One-dimensional means with gaps 0.5, 0.4, 0.2, 5.9, 1.0 between neighbours. Single linkage
# in one dimension merges neighbours in order of their gaps, so cutting into three clusters
# removes the two largest gaps (5.9 and 1.0): {S1..S4}, {S5}, {S6}; the root merges at 5.9.
GAPPED = {"S1": 9.0, "S2": 8.5, "S3": 8.1, "S4": 7.9, "S5": 2.0, "S6": 1.0}


def _same_on_all(means: dict[str, float]) -> dict[str, tuple[float, float, float]]:
    return {k: (v, v, v) for k, v in means.items()}


def test_single_linkage_clusters_and_agreement():
    res = mitchell(wide_scores(_same_on_all(GAPPED)), linkage="single")
    for attr in ("legitimacy", "power", "urgency"):
        cl = res.clusters[attr]
        assert cl.cluster.tolist() == [1, 1, 1, 1, 2, 3]
        assert cl.level.tolist() == ["high", "high", "high", "high", "medium", "low"]
        assert cl.centroids.tolist() == pytest.approx(
            [(9.0 + 8.5 + 8.1 + 7.9) / 4, 2.0, 1.0], rel=1e-12
        )
        agr = res.agreement[attr]
        # rule: 7.9 is medium (cluster says high), 2.0 is low (cluster says medium)
        assert (agr.n, agr.n_agree) == (6, 4)
        assert agr.share == pytest.approx(4 / 6, rel=1e-12)
        assert agr.disagreeing == (("S4", "medium", "high"), ("S5", "low", "medium"))
        assert max(max(d) for d in cl.dendrogram["dcoord"]) == pytest.approx(5.9, rel=1e-12)
        assert cl.linkage_matrix[-1, 2] == pytest.approx(5.9, rel=1e-12)
    assert res.overall_agreement == pytest.approx(12 / 18, rel=1e-12)
    row = res.attributes.query("stakeholder == 'S4' and attribute == 'power'").iloc[0]
    assert (row["level"], row["cluster"], row["cluster_level"]) == ("medium", 1, "high")


@pytest.mark.parametrize("linkage", ["single", "complete", "average", "ward"])
def test_well_separated_groups_agree_fully(linkage):
    # three tight groups (spread 0.2) far apart (gaps ≥ 1.7): every linkage finds them
    means = {
        "h1": 9.2,
        "h2": 9.0,
        "h3": 8.8,
        "m1": 7.1,
        "m2": 7.0,
        "m3": 6.9,
        "l1": 3.2,
        "l2": 3.0,
        "l3": 2.8,
    }
    res = mitchell(wide_scores(_same_on_all(means)), linkage=linkage)
    for attr in ("legitimacy", "power", "urgency"):
        assert res.clusters[attr].level.tolist() == ["high"] * 3 + ["medium"] * 3 + ["low"] * 3
        assert res.agreement[attr].share == 1.0 and res.agreement[attr].disagreeing == ()
        assert res.clusters[attr].method == linkage


def test_dendrogram_data_and_text():
    res = mitchell(wide_scores(_same_on_all(GAPPED)), linkage="single")
    cl = res.clusters["power"]
    d = cl.dendrogram
    assert sorted(d["leaves"]) == list(range(6))
    assert d["ivl"] == [list(GAPPED)[i] for i in d["leaves"]]
    assert len(d["icoord"]) == len(d["dcoord"]) == 5
    lines = cl.text.splitlines()
    assert len(lines) == 2 * 6  # a row per leaf, one between neighbours, an axis line
    for k, i in enumerate(d["leaves"]):
        assert lines[2 * k].startswith(f"{list(GAPPED)[i]} {list(GAPPED.values())[i]:.2f}")
    assert lines[-1].strip() == "0 ... 5.9"


def test_rank_levels_for_other_cluster_counts():
    assert rank_levels(2) == ["high", "low"]
    assert rank_levels(5) == ["high", "medium", "medium", "medium", "low"]
    res = mitchell(wide_scores(_same_on_all(GAPPED)), linkage="single", n_clusters=2)
    assert res.clusters["power"].level.tolist() == ["high"] * 4 + ["low"] * 2


def test_clusters_numbered_from_the_highest_centroid():
    # input order low → high: cluster 1 must still be the highest group
    means = {"l": 1.0, "m": 5.0, "h": 9.0}
    res = mitchell(wide_scores(_same_on_all(means)))
    assert res.clusters["urgency"].cluster.tolist() == [3, 2, 1]
    assert np.all(np.diff(res.clusters["urgency"].centroids) < 0)
