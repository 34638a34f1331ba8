"""Mitchell stakeholder scoring: mean scores, levels, types and the clustering check.

``mitchell`` orchestrates: check the scores (:mod:`.data`) → means and SDs per
stakeholder and attribute → levels and types by the score rule (:mod:`.rules`)
→ hierarchical clustering per attribute (:mod:`.clustering`) → agreement
between the two → a frozen :class:`MitchellResult`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from flexemp.core.errors import StakeholderScoresError
from flexemp.core.options import Language, validate_option
from flexemp.stakeholders.clustering import AttributeClusters, Linkage, cluster_attribute
from flexemp.stakeholders.data import ATTRIBUTE_LABELS, ATTRIBUTES, tidy_scores
from flexemp.stakeholders.rules import TYPE_LABELS, classify, score_levels

#: English names of seed 002's nine stakeholders, keyed by the seed's Chinese names.
STAKEHOLDER_NAMES: dict[str, str] = {
    "平台企业": "platform",
    "从业者": "workers",
    "政府机构": "government",
    "代理商": "agencies",
    "工会": "unions",
    "行业协会": "associations",
    "媒体": "media",
    "相关专家": "experts",
    "消费者": "consumers",
}


@dataclass(frozen=True)
class Agreement:
    """Agreement of the score rule's level with the clustering's level on one attribute.

    Attributes
    ----------
    attribute : str
    n : int
        Number of stakeholders.
    n_agree : int
    share : float
        ``n_agree / n``.
    disagreeing : tuple of (str, str, str)
        ``(stakeholder, rule level, cluster level)`` for each disagreement.
    """

    attribute: str
    n: int
    n_agree: int
    share: float
    disagreeing: tuple[tuple[str, str, str], ...]

    def to_dict(self) -> dict[str, Any]:
        """Plain, JSON-serialisable data."""
        return {
            "n": self.n,
            "n_agree": self.n_agree,
            "share": self.share,
            "disagreeing": [
                {"stakeholder": s, "rule_level": r, "cluster_level": c}
                for s, r, c in self.disagreeing
            ],
        }


@dataclass(frozen=True)
class MitchellResult:
    """Result of :func:`mitchell`.

    Attributes
    ----------
    summary : pandas.DataFrame
        One row per stakeholder (input order): ``stakeholder``, ``<attr>_mean``,
        ``<attr>_sd``, ``<attr>_level`` for each attribute, ``type``, ``reason``,
        ``reason_zh``.
    attributes : pandas.DataFrame
        Tidy, one row per stakeholder × attribute: ``stakeholder``, ``attribute``,
        ``mean``, ``sd``, ``n_experts``, ``level``, ``cluster``, ``cluster_level``.
    clusters : dict of str to AttributeClusters
        The clustering of each attribute.
    agreement : dict of str to Agreement
        Score rule versus clustering, per attribute.
    thresholds : tuple of float
    linkage : str
    n_clusters : int
    n_experts : int
    n_stakeholders : int
    input_form : str
        ``"long"`` or ``"wide"``.
    """

    summary: pd.DataFrame
    attributes: pd.DataFrame
    clusters: dict[str, AttributeClusters]
    agreement: dict[str, Agreement]
    thresholds: tuple[float, float]
    linkage: str
    n_clusters: int
    n_experts: int
    n_stakeholders: int
    input_form: str

    @property
    def overall_agreement(self) -> float:
        """Share of stakeholder × attribute pairs on which rule and clustering agree."""
        return sum(a.n_agree for a in self.agreement.values()) / sum(
            a.n for a in self.agreement.values()
        )

    def to_dict(self) -> dict[str, Any]:
        """Plain, JSON-serialisable data: settings, stakeholders, clusters, agreement."""
        return {
            "settings": {
                "thresholds": list(self.thresholds),
                "linkage": self.linkage,
                "n_clusters": self.n_clusters,
                "n_experts": self.n_experts,
                "n_stakeholders": self.n_stakeholders,
                "input_form": self.input_form,
            },
            "stakeholders": self.summary.to_dict("records"),
            "clusters": {a: c.to_dict() for a, c in self.clusters.items()},
            "agreement": {
                **{a: g.to_dict() for a, g in self.agreement.items()},
                "overall": self.overall_agreement,
            },
        }

    def table(self, lang: str = "zh", digits: int = 2) -> pd.DataFrame:
        """Paste-ready table: stakeholder, the three means and the type.

        Parameters
        ----------
        lang : {"zh", "en"}
            Column names, type labels and (for seed 002's stakeholders) names.
        digits : int
            Decimals of the means.

        Returns
        -------
        pandas.DataFrame
            zh: 利益相关者, 合法性均值, 权力性均值, 紧急性均值, 类型.

        Raises
        ------
        UnsupportedOptionError
            When ``lang`` is not ``zh`` or ``en``.
        """
        validate_option("lang", lang, Language)
        names = self.summary["stakeholder"]
        if lang == "en":
            names = names.map(lambda s: STAKEHOLDER_NAMES.get(s, s))
        else:
            to_zh = {v: k for k, v in STAKEHOLDER_NAMES.items()}
            names = names.map(lambda s: to_zh.get(s, s))
        out = pd.DataFrame({"利益相关者" if lang == "zh" else "Stakeholder": names.to_numpy()})
        for a in ATTRIBUTES:
            col = f"{ATTRIBUTE_LABELS['zh'][a]}均值" if lang == "zh" else f"{a.capitalize()} (mean)"
            out[col] = self.summary[f"{a}_mean"].round(digits).to_numpy()
        out["类型" if lang == "zh" else "Type"] = (
            self.summary["type"].map(TYPE_LABELS[lang]).to_numpy()
        )
        return out


def mitchell(
    scores: pd.DataFrame,
    *,
    thresholds: tuple[float, float] = (6, 8),
    linkage: str = "average",
    n_clusters: int = 3,
) -> MitchellResult:
    """Mitchell score method: classify stakeholders from experts' 0-10 scores.

    Parameters
    ----------
    scores : pandas.DataFrame
        Long form (``expert``, ``stakeholder``, ``attribute``, ``score``) or wide
        form (``expert``, ``stakeholder``, ``legitimacy``, ``power``, ``urgency``);
        attributes may be named 合法性, 权力性, 紧急性. Every expert must score
        every stakeholder on every attribute, 0-10. Not modified.
    thresholds : tuple of float
        ``(low, high)``: a mean ``>= high`` is high, ``>= low`` medium, else low.
        A mean exactly at a threshold goes up (8.0 is high, 6.0 medium).
    linkage : {"single", "complete", "average", "ward"}
        Linkage of the hierarchical clustering check.
    n_clusters : int
        Clusters per attribute, from 2 to the number of stakeholders.

    Returns
    -------
    MitchellResult

    Raises
    ------
    StakeholderScoresError
        Malformed, incomplete or out-of-range scores; bad thresholds or n_clusters.
    UnsupportedOptionError
        Unknown ``linkage``.

    Notes
    -----
    Mean and SD (``ddof=1``) over experts per stakeholder and attribute. Types
    (seed 002): definitive = all three attributes high, expectant = at least two
    medium, latent = at least two low; otherwise *unclassified*; two rules at once
    *ambiguous*. The clustering check is ``scipy.cluster.hierarchy.linkage`` on
    the mean scores of one attribute, cut with ``fcluster(criterion="maxclust")``
    (R: ``cutree(hclust(dist(x), method), k)``; SPSS: hierarchical cluster,
    between-groups linkage = ``average``); clusters are labelled by centroid order.
    Reference: Mitchell, Agle & Wood (1997), Academy of Management Review 22(4).

    Examples
    --------
    >>> from flexemp.stakeholders.example import example_scores
    >>> res = mitchell(example_scores())
    >>> row = res.table().iloc[0]
    >>> row["利益相关者"], float(row["合法性均值"]), float(row["紧急性均值"]), row["类型"]
    ('平台企业', 8.5, 9.25, '确定型')
    >>> res.summary["type"].value_counts().to_dict()
    {'definitive': 3, 'expectant': 3, 'latent': 3}
    """
    low, high, n_clusters = _check_settings(thresholds, n_clusters)
    validate_option("linkage", linkage, Linkage)
    frame, form = tidy_scores(scores)
    stakeholders = tuple(str(s) for s in pd.unique(frame["stakeholder"]))
    n_experts = int(frame["expert"].nunique())
    if n_clusters > len(stakeholders):
        raise StakeholderScoresError(
            f"n_clusters={n_clusters} is more than the {len(stakeholders)} stakeholders scored; "
            f"use n_clusters <= {len(stakeholders)}"
        )
    grouped = frame.groupby(["stakeholder", "attribute"], sort=False)["score"]
    stats = grouped.agg(mean="mean", sd=lambda s: s.std(ddof=1), n_experts="count")
    means = (
        stats["mean"]
        .unstack("attribute")
        .reindex(index=list(stakeholders), columns=list(ATTRIBUTES))
    )
    sds = (
        stats["sd"].unstack("attribute").reindex(index=list(stakeholders), columns=list(ATTRIBUTES))
    )
    levels = score_levels(means.to_numpy(), (low, high))
    types, reasons, reasons_zh = classify(levels)

    summary = pd.DataFrame({"stakeholder": list(stakeholders)})
    for a in ATTRIBUTES:
        summary[f"{a}_mean"] = means[a].to_numpy()
        summary[f"{a}_sd"] = sds[a].to_numpy()
    for j, a in enumerate(ATTRIBUTES):
        summary[f"{a}_level"] = levels[:, j]
    summary["type"], summary["reason"], summary["reason_zh"] = types, reasons, reasons_zh

    clusters: dict[str, AttributeClusters] = {}
    agreement: dict[str, Agreement] = {}
    for j, a in enumerate(ATTRIBUTES):
        cl = cluster_attribute(
            means[a].to_numpy(), stakeholders, attribute=a, method=linkage, n_clusters=n_clusters
        )
        clusters[a] = cl
        agree = levels[:, j] == cl.level
        disagreeing = tuple(
            (s, str(r), str(c))
            for s, r, c, ok in zip(stakeholders, levels[:, j], cl.level, agree, strict=True)
            if not ok
        )
        agreement[a] = Agreement(
            attribute=a,
            n=len(stakeholders),
            n_agree=int(agree.sum()),
            share=float(agree.mean()),
            disagreeing=disagreeing,
        )

    attributes = pd.DataFrame(
        {
            "stakeholder": np.repeat(np.array(stakeholders, dtype=object), len(ATTRIBUTES)),
            "attribute": np.tile(np.array(ATTRIBUTES, dtype=object), len(stakeholders)),
            "mean": means.to_numpy().ravel(),
            "sd": sds.to_numpy().ravel(),
            "n_experts": stats["n_experts"]
            .unstack("attribute")
            .reindex(index=list(stakeholders), columns=list(ATTRIBUTES))
            .to_numpy()
            .ravel()
            .astype(int),
            "level": levels.ravel(),
            "cluster": np.column_stack([clusters[a].cluster for a in ATTRIBUTES]).ravel(),
            "cluster_level": np.column_stack([clusters[a].level for a in ATTRIBUTES]).ravel(),
        }
    )
    return MitchellResult(
        summary=summary,
        attributes=attributes,
        clusters=clusters,
        agreement=agreement,
        thresholds=(low, high),
        linkage=linkage,
        n_clusters=n_clusters,
        n_experts=n_experts,
        n_stakeholders=len(stakeholders),
        input_form=form,
    )


def _check_settings(thresholds: tuple[float, float], n_clusters: int) -> tuple[float, float, int]:
    try:
        low, high = (float(t) for t in thresholds)
    except (TypeError, ValueError):
        raise StakeholderScoresError(
            f"thresholds={thresholds!r} must be two numbers (low, high), e.g. (6, 8)"
        ) from None
    if not (0 <= low < high <= 10):
        raise StakeholderScoresError(
            f"thresholds=({low:g}, {high:g}) must satisfy 0 <= low < high <= 10, e.g. (6, 8)"
        )
    if (
        isinstance(n_clusters, bool)
        or not isinstance(n_clusters, int | np.integer)
        or n_clusters < 2
    ):
        raise StakeholderScoresError(
            f"n_clusters={n_clusters!r} must be a whole number of at least 2, e.g. 3"
        )
    return low, high, int(n_clusters)
