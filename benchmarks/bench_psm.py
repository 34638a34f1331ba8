"""Time propensity-score matching: flexemp ``psm`` against statsmodels Logit + sklearn NearestNeighbors.

Run: ``python benchmarks/bench_psm.py [--sizes 20000 2000000] [--k 5]``.

For each N (treatment share about 40 %): flexemp's score (logit) + 1-NN matching +
ATT alone (``fit_binary`` + ``nearest_neighbours`` + ``matching_effect``, target
< 5 s at 2,000,000 rows), then the full :func:`flexemp.models.psm.psm` (adds the
Abadie–Imbens variance's own-group matching and the pstest balance table with two
more logits), then the usual pipeline — statsmodels ``Logit`` for the score and
sklearn ``NearestNeighbors(n_neighbors=1)`` on the score — when those packages are
installed (a message says they are skipped otherwise).  The two ATTs are printed;
they agree unless there are tied distances (sklearn keeps one neighbour).
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import pandas as pd

from flexemp.models._numerics.binary import binary_prob, fit_binary
from flexemp.models._numerics.matching import (
    matching_effect,
    nearest_neighbours,
    own_group_variance,
)
from flexemp.models.psm import psm


def make_data(n: int, k: int, seed: int = 1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, k))
    df = pd.DataFrame(X, columns=[f"x{j}" for j in range(k)])
    eta = -0.4 + X @ np.linspace(-0.5, 0.5, k)
    df["t"] = (rng.logistic(size=n) < eta).astype(float)
    df["y"] = 1 + X.sum(axis=1) + 2 * df["t"] + rng.normal(size=n)
    return df


def core(df: pd.DataFrame, covs: list[str]) -> float:
    """Score + 1-NN matching with replacement + ATT (point estimate only)."""
    tr = df["t"].to_numpy()
    y = df["y"].to_numpy()
    X = np.column_stack([np.ones(len(df)), df[covs].to_numpy()])
    p = binary_prob(X @ fit_binary(tr, X).params, "logit")
    it, ic = np.flatnonzero(tr == 1), np.flatnonzero(tr == 0)
    pr = nearest_neighbours(p[it], p[ic], 1, "all")
    ymatch = np.bincount(pr.target, weights=pr.weight * y[ic][pr.donor], minlength=it.size)
    return float(np.mean(y[it] - ymatch))


def core_with_se(df: pd.DataFrame, covs: list[str]) -> float:
    """As :func:`core`, plus the Abadie–Imbens (2006) variance."""
    tr = df["t"].to_numpy()
    y = df["y"].to_numpy()
    X = np.column_stack([np.ones(len(df)), df[covs].to_numpy()])
    p = binary_prob(X @ fit_binary(tr, X).params, "logit")
    it, ic = np.flatnonzero(tr == 1), np.flatnonzero(tr == 0)
    pr = nearest_neighbours(p[it], p[ic], 1, "all")
    from flexemp.models._numerics.matching import Pairs

    full = Pairs(it[pr.target], ic[pr.donor], pr.distance, pr.weight)
    s2 = np.empty(len(p))
    s2[it] = own_group_variance(p[it], y[it])
    s2[ic] = own_group_variance(p[ic], y[ic])
    return matching_effect(y, tr, tr == 1, full, None, s2).estimate


def usual(df: pd.DataFrame, covs: list[str]) -> float | None:
    try:
        import statsmodels.api as sm
        from sklearn.neighbors import NearestNeighbors
    except ImportError as exc:
        print(
            f"  statsmodels + sklearn pipeline skipped: {exc} (pip install statsmodels scikit-learn)"
        )
        return None
    X = sm.add_constant(df[covs].to_numpy())
    p = sm.Logit(df["t"].to_numpy(), X).fit(disp=0).predict(X)
    t = df["t"].to_numpy() == 1
    nn = NearestNeighbors(n_neighbors=1).fit(p[~t].reshape(-1, 1))
    _, j = nn.kneighbors(p[t].reshape(-1, 1))
    y = df["y"].to_numpy()
    return float(np.mean(y[t] - y[~t][j[:, 0]]))


def timed(label: str, fn, *args) -> None:  # type: ignore[no-untyped-def]
    t0 = time.perf_counter()
    out = fn(*args)
    dt = time.perf_counter() - t0
    if out is not None:
        print(f"  {label:<44s} {dt:8.2f} s   ATT = {out:.5f}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[20_000, 2_000_000])
    ap.add_argument("--k", type=int, default=5, help="covariates in the score model")
    args = ap.parse_args()
    for n in args.sizes:
        df = make_data(n, args.k)
        covs = [f"x{j}" for j in range(args.k)]
        print(f"N = {n:,}  (treated {int(df['t'].sum()):,}; {args.k} covariates)")
        timed("flexemp score + match + ATT", core, df, covs)
        timed("flexemp + Abadie-Imbens (2006) variance", core_with_se, df, covs)
        timed(
            "flexemp psm() (+ balance table)",
            lambda d: psm(d, treat="t", outcome="y", covariates=covs).estimate,
            df,
        )
        timed("statsmodels Logit + sklearn NearestNeighbors", usual, df, covs)


if __name__ == "__main__":
    main()
