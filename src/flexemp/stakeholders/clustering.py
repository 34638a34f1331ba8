"""Hierarchical clustering of the stakeholders' mean scores, one attribute at a time.

Seed 002 checks the score rule by clustering the stakeholders on each attribute
(its figures 1-3). Here the mean scores of one attribute are clustered with
:func:`scipy.cluster.hierarchy.linkage`, the tree is cut into ``n_clusters``
groups (``fcluster(..., criterion="maxclust")``) and the groups are labelled by
the order of their centroids: the highest is *high*, the lowest *low*, those in
between *medium*. Pure functions on NumPy arrays.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
from scipy.cluster import hierarchy

Linkage = Literal["single", "complete", "average", "ward"]


@dataclass(frozen=True)
class AttributeClusters:
    """Clustering of the stakeholders on one attribute.

    Attributes
    ----------
    attribute : str
        ``legitimacy``, ``power`` or ``urgency``.
    method : str
        Linkage method.
    n_clusters : int
        Number of clusters asked for; ``n_found`` is the number the cut produced
        (fewer only when merge heights tie).
    n_found : int
    stakeholders : tuple of str
        Shape ``(n,)``, in input order.
    means : numpy.ndarray
        Shape ``(n,)``: the clustered mean scores.
    cluster : numpy.ndarray
        Shape ``(n,)``: cluster number, 1 = highest centroid.
    level : numpy.ndarray
        Shape ``(n,)``: ``high``/``medium``/``low`` of the stakeholder's cluster.
    centroids : numpy.ndarray
        Shape ``(n_found,)``: cluster means, cluster 1 first.
    linkage_matrix : numpy.ndarray
        Shape ``(n - 1, 4)``: scipy's linkage matrix.
    dendrogram : dict
        ``leaves``, ``ivl`` (leaf names in plotting order), ``icoord``, ``dcoord``
        from ``scipy.cluster.hierarchy.dendrogram(no_plot=True)``.
    text : str
        The dendrogram drawn in plain text (leaves left, merge height to the right).
    """

    attribute: str
    method: str
    n_clusters: int
    n_found: int
    stakeholders: tuple[str, ...]
    means: np.ndarray
    cluster: np.ndarray
    level: np.ndarray
    centroids: np.ndarray
    linkage_matrix: np.ndarray
    dendrogram: dict[str, list[Any]]
    text: str

    def to_dict(self) -> dict[str, Any]:
        """Plain, JSON-serialisable data."""
        return {
            "method": self.method,
            "n_clusters": self.n_clusters,
            "n_found": self.n_found,
            "centroids": [float(c) for c in self.centroids],
            "members": [
                {"stakeholder": s, "mean": float(m), "cluster": int(c), "level": str(lv)}
                for s, m, c, lv in zip(
                    self.stakeholders, self.means, self.cluster, self.level, strict=True
                )
            ],
            "linkage_matrix": self.linkage_matrix.tolist(),
            "dendrogram": self.dendrogram,
            "text": self.text,
        }


def rank_levels(k: int) -> list[str]:
    """Level names of ``k`` clusters ordered from the highest centroid down.

    Examples
    --------
    >>> rank_levels(3), rank_levels(2), rank_levels(4)
    (['high', 'medium', 'low'], ['high', 'low'], ['high', 'medium', 'medium', 'low'])
    """
    if k == 1:
        return ["medium"]
    return ["high"] + ["medium"] * (k - 2) + ["low"]


def cluster_attribute(
    means: np.ndarray,
    stakeholders: tuple[str, ...],
    *,
    attribute: str,
    method: str,
    n_clusters: int,
) -> AttributeClusters:
    """Cluster the mean scores of one attribute and label the clusters by centroid order.

    Parameters
    ----------
    means : numpy.ndarray
        Shape ``(n,)``, one mean score per stakeholder.
    stakeholders : tuple of str
        Their names.
    attribute : str
        Name of the attribute (for the result).
    method : {"single", "complete", "average", "ward"}
        Linkage method (validated by the caller).
    n_clusters : int
        Number of clusters, ``2 <= n_clusters <= n`` (validated by the caller).

    Returns
    -------
    AttributeClusters

    Notes
    -----
    Euclidean distance on one dimension; SPSS's "hierarchical cluster" with
    between-groups linkage is ``method="average"``; R: ``cutree(hclust(dist(x),
    "average"), k)``.

    Examples
    --------
    >>> res = cluster_attribute(np.array([9.0, 8.8, 7.0, 6.9, 3.0]), ("a", "b", "c", "d", "e"),
    ...                         attribute="power", method="average", n_clusters=3)
    >>> res.level.tolist(), res.cluster.tolist()
    (['high', 'high', 'medium', 'medium', 'low'], [1, 1, 2, 2, 3])
    """
    x = np.asarray(means, dtype=float)
    z = hierarchy.linkage(x.reshape(-1, 1), method=method, metric="euclidean")
    raw = hierarchy.fcluster(z, t=n_clusters, criterion="maxclust")
    ids, inverse = np.unique(raw, return_inverse=True)
    sums = np.bincount(inverse, weights=x)
    centroids = sums / np.bincount(inverse)
    order = np.argsort(-centroids, kind="stable")  # rank 0 = highest centroid
    rank = np.empty_like(order)
    rank[order] = np.arange(len(ids))
    cluster = rank[inverse] + 1
    level = np.array(rank_levels(len(ids)), dtype=object)[cluster - 1]
    dend = hierarchy.dendrogram(z, no_plot=True, labels=list(stakeholders))
    dendrogram: dict[str, list[Any]] = {
        "leaves": [int(i) for i in dend["leaves"]],
        "ivl": [str(s) for s in dend["ivl"]],
        "icoord": [[float(v) for v in row] for row in dend["icoord"]],
        "dcoord": [[float(v) for v in row] for row in dend["dcoord"]],
    }
    text = dendrogram_text(
        dendrogram, [f"{stakeholders[i]} {x[i]:.2f}" for i in dendrogram["leaves"]]
    )
    return AttributeClusters(
        attribute=attribute,
        method=method,
        n_clusters=n_clusters,
        n_found=len(ids),
        stakeholders=tuple(stakeholders),
        means=x,
        cluster=cluster.astype(int),
        level=level,
        centroids=centroids[order],
        linkage_matrix=z,
        dendrogram=dendrogram,
        text=text,
    )


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text)


def dendrogram_text(dendrogram: dict[str, list[Any]], labels: list[str], width: int = 40) -> str:
    """Draw a dendrogram (scipy's ``icoord``/``dcoord``) sideways in plain text.

    Leaves are rows (labels in plotting order); the horizontal axis is the merge
    height, scaled so that the root merge is ``width`` characters from the leaves.

    Parameters
    ----------
    dendrogram : dict
        With ``icoord`` and ``dcoord`` as returned by ``dendrogram(no_plot=True)``.
    labels : list of str
        One label per leaf, in plotting order.
    width : int
        Characters from the leaves to the root merge.

    Returns
    -------
    str
        One line per leaf and one between consecutive leaves, then an axis line.

    Examples
    --------
    >>> z = hierarchy.linkage(np.array([[0.0], [1.0], [5.0]]), "single")
    >>> d = hierarchy.dendrogram(z, no_plot=True)
    >>> print(dendrogram_text(d, ["a", "b", "c"], width=8))
    a ─────────┐
               │
    b ───┐     │
         ├─────┘
    c ───┘
      0 ... 4
    """
    n = len(labels)
    icoord = np.asarray(dendrogram["icoord"], dtype=float).reshape(-1, 4)
    dcoord = np.asarray(dendrogram["dcoord"], dtype=float).reshape(-1, 4)
    top = float(dcoord.max()) if dcoord.size else 0.0
    scale = width / top if top > 0 else 0.0
    rows = 2 * n - 1
    grid = [[" "] * (width + 2) for _ in range(rows)]
    for r in range(0, rows, 2):
        grid[r][0] = "─"

    def row_of(y: float) -> int:
        return int(np.floor((y - 5.0) / 5.0 + 0.5))

    def col_of(d: float) -> int:
        return round(d * scale) + 1

    for ic, dc in zip(icoord, dcoord, strict=True):
        r_top, r_bot = row_of(ic[0]), row_of(ic[3])
        c_join = col_of(dc[1])
        for r, c_start in ((r_top, col_of(dc[0])), (r_bot, col_of(dc[3]))):
            if grid[r][c_start] == "│":  # a child cluster's vertical line: attach here
                grid[r][c_start] = "├"
            for c in range(c_start, c_join):
                if grid[r][c] == " ":
                    grid[r][c] = "─"
        for r in range(r_top + 1, r_bot):
            grid[r][c_join] = "│" if grid[r][c_join] == " " else "┤"
        grid[r_top][c_join] = "┐" if grid[r_top][c_join] in (" ", "─") else "┤"
        grid[r_bot][c_join] = "┘" if grid[r_bot][c_join] in (" ", "─") else "┤"
    pad = max((_width(s) for s in labels), default=0)
    lines = []
    for r in range(rows):
        label = labels[r // 2] if r % 2 == 0 else ""
        lines.append(label + " " * (pad - _width(label) + 1) + "".join(grid[r]).rstrip())
    lines.append(" " * (pad + 1) + f"0 ... {top:.4g}")
    return "\n".join(line.rstrip() for line in lines)
