"""Time iv2sls with every diagnostic against linearmodels and pyfixest, clustered SEs.

Run: ``.venv/bin/python benchmarks/bench_iv.py [N ...]`` (default N = 20,000, 200,000, 1,000,000;
needs ``pip install 'linearmodels>=7.1' pyfixest``; a missing package is reported, not faked).

Data: one endogenous regressor ``d``, two excluded instruments, three exogenous regressors and a
constant, 100 clusters; every fit uses cluster-robust SEs on ``g``.  Timed, best of 3 calls:

- **flexemp**: ``iv2sls(..., vcov="cluster")`` — coefficients, first stage (coefficients,
  partial R², F), Kleibergen-Paap rk LM and rk Wald F, Cragg-Donald F, Stock-Yogo values,
  Hansen J and the endogeneity test (all computed eagerly);
- **linearmodels, fit**: ``IV2SLS(...).fit(cov_type="clustered", debiased=True)``;
- **linearmodels + diagnostics**: the same fit plus what flexemp reports:
  ``first_stage.diagnostics`` (partial R², F), ``first_stage.kleibergen_paap``,
  ``kleibergen_paap_f``, ``cragg_donald_f``, ``wooldridge_regression``, and Hansen's J
  (``IVGMM(..., weight_type="clustered").fit(iter_limit=2).j_stat``);
- **pyfixest**: ``feols("y ~ x1 + x2 + x3 | 0 | d ~ z1 + z2", vcov={"CRV1": "g"})`` (its
  coefficients and SEs; pyfixest computes its first-stage F lazily and has no KP / J);
- **NumPy 2SLS**: the bare estimator (two least-squares solves) and a CR1 sandwich — the floor.

Prints one line per N with the times and the ratio linearmodels-with-diagnostics / flexemp.

BLAS threads: the script sets ``OPENBLAS_NUM_THREADS=1`` (and the MKL/OMP equivalents) unless
already set, for every package alike.  On a small shared machine OpenBLAS's threads on tall,
skinny products cost more than they save (here flexemp took 0.115-0.127 s at N = 200,000 with
two threads and 0.096-0.098 s with one, 2026-12-07); run with ``OPENBLAS_NUM_THREADS=2`` etc. to
compare.
"""

from __future__ import annotations

import os

for _var in ("OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "OMP_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import sys  # noqa: E402
import time  # noqa: E402
import warnings  # noqa: E402
from collections.abc import Callable  # noqa: E402

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from flexemp.models.iv import iv2sls  # noqa: E402

FORMULA = "y ~ x1 + x2 + x3 + [d ~ z1 + z2]"


def make(n: int, seed: int = 0) -> pd.DataFrame:
    """Simulated data with an endogenous ``d`` (true effect 0.5) and 100 clusters ``g``."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 3))
    z = rng.normal(size=(n, 2))
    u = rng.normal(size=n)
    d = z @ [0.5, 0.3] + x @ [0.2, 0.0, -0.1] + 0.6 * u + rng.normal(size=n)
    y = 1 + 0.5 * d + x @ [0.3, -0.2, 0.1] + u
    return pd.DataFrame(
        {
            "y": y,
            "d": d,
            "x1": x[:, 0],
            "x2": x[:, 1],
            "x3": x[:, 2],
            "z1": z[:, 0],
            "z2": z[:, 1],
            "g": rng.integers(0, 100, n),
        }
    )


def best_of(f: Callable[[], object], reps: int = 3) -> float:
    """Best wall time of ``reps`` calls, seconds."""
    times = []
    for _ in range(reps):
        t0 = time.perf_counter()
        f()
        times.append(time.perf_counter() - t0)
    return min(times)


def ours(df: pd.DataFrame) -> None:
    """flexemp with every diagnostic."""
    iv2sls(FORMULA, df, vcov="cluster", cluster="g")


def numpy_2sls(df: pd.DataFrame) -> None:
    """Bare 2SLS with a CR1 covariance: the floor."""
    n = len(df)
    X = np.column_stack([np.ones(n), df[["x1", "x2", "x3", "d"]].to_numpy()])
    Z = np.column_stack([np.ones(n), df[["x1", "x2", "x3", "z1", "z2"]].to_numpy()])
    y = df["y"].to_numpy()
    xhat = Z @ np.linalg.lstsq(Z, X, rcond=None)[0]
    b = np.linalg.lstsq(xhat, y, rcond=None)[0]
    e = y - X @ b
    g = df["g"].to_numpy()
    s = np.column_stack([np.bincount(g, weights=xhat[:, j] * e) for j in range(X.shape[1])])
    A = np.linalg.inv(xhat.T @ xhat)
    G, k = s.shape[0], X.shape[1]
    _ = G / (G - 1) * (n - 1) / (n - k) * A @ (s.T @ s) @ A


def lm_fit(df: pd.DataFrame, diagnostics: bool) -> None:
    """linearmodels IV2SLS, optionally with the diagnostics flexemp reports."""
    from linearmodels.iv import IV2SLS, IVGMM

    exog = df[["x1", "x2", "x3"]].assign(const=1.0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        r = IV2SLS(df["y"], exog, df[["d"]], df[["z1", "z2"]]).fit(
            cov_type="clustered", clusters=df["g"], debiased=True
        )
        if diagnostics:
            fs = r.first_stage
            _ = (fs.diagnostics, fs.kleibergen_paap, fs.kleibergen_paap_f, fs.cragg_donald_f)
            _ = r.wooldridge_regression
            g = IVGMM(
                df["y"],
                exog,
                df[["d"]],
                df[["z1", "z2"]],
                weight_type="clustered",
                clusters=df["g"],
            ).fit(iter_limit=2, cov_type="clustered", clusters=df["g"], debiased=True)
            _ = g.j_stat


def pyfixest_fit(df: pd.DataFrame) -> None:
    """pyfixest feols IV with CRV1."""
    import pyfixest as pf

    pf.feols("y ~ x1 + x2 + x3 | 0 | d ~ z1 + z2", data=df, vcov={"CRV1": "g"}).tidy()


def _maybe(label: str, f: Callable[[], object]) -> tuple[str, float | None]:
    try:
        return label, best_of(f)
    except ImportError:
        return label, None


def main(sizes: list[int]) -> None:
    """Print one line per N."""
    print(f"OPENBLAS_NUM_THREADS={os.environ['OPENBLAS_NUM_THREADS']}", flush=True)
    for n in sizes:
        df = make(n)
        t_ours = best_of(lambda df=df: ours(df))
        rows = [
            ("flexemp (all diagnostics)", t_ours),
            _maybe("linearmodels fit", lambda df=df: lm_fit(df, False)),
            _maybe("linearmodels + diagnostics", lambda df=df: lm_fit(df, True)),
            _maybe("pyfixest", lambda df=df: pyfixest_fit(df)),
            ("NumPy 2SLS", best_of(lambda df=df: numpy_2sls(df))),
        ]
        parts = [f"{label} {'not installed' if t is None else f'{t:.3f} s'}" for label, t in rows]
        lm_diag = rows[2][1]
        ratio = (
            "" if lm_diag is None else f" | linearmodels+diag / flexemp = {lm_diag / t_ours:.1f}x"
        )
        print(f"N={n:>9,}: " + "; ".join(parts) + ratio, flush=True)


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [20_000, 200_000, 1_000_000])
