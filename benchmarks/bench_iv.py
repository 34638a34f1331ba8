"""Time iv2sls with all diagnostics against linearmodels (if installed) at N = 2,000 and 200,000.

Run: ``.venv/bin/python benchmarks/bench_iv.py``.  Data: one endogenous regressor, two excluded
instruments, three exogenous regressors, 100 clusters; robust and cluster covariance.
linearmodels' time covers IV2SLS fit plus its first-stage diagnostics, Sargan and Wu-Hausman
(it has no Kleibergen-Paap statistic).
"""

from __future__ import annotations

import time
import warnings

import numpy as np
import pandas as pd

from flexemp.models.iv import iv2sls


def make(n: int, seed: int = 0) -> pd.DataFrame:
    """Simulated data with an endogenous ``d`` (true effect 0.5)."""
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


def best_of(f: object, reps: int = 3) -> float:
    """Best wall time of ``reps`` calls, seconds."""
    times = []
    for _ in range(reps):
        t0 = time.perf_counter()
        f()  # type: ignore[operator]
        times.append(time.perf_counter() - t0)
    return min(times)


def main() -> None:
    """Print one line per (N, vcov)."""
    formula = "y ~ x1 + x2 + x3 + [d ~ z1 + z2]"
    for n in (2_000, 200_000):
        df = make(n)
        for vcov in ("robust", "cluster"):
            cl = "g" if vcov == "cluster" else None
            ours = best_of(lambda: iv2sls(formula, df, vcov=vcov, cluster=cl))
            line = f"N={n:>7,} vcov={vcov:<8} flexemp {ours * 1e3:8.1f} ms"
            try:
                from linearmodels.iv import IV2SLS

                exog = df[["x1", "x2", "x3"]].assign(const=1.0)
                kw = (
                    {"cov_type": "robust"}
                    if vcov == "robust"
                    else {"cov_type": "clustered", "clusters": df["g"]}
                )

                def lm() -> None:
                    with warnings.catch_warnings():
                        warnings.simplefilter("ignore")
                        r = IV2SLS(df["y"], exog, df[["d"]], df[["z1", "z2"]]).fit(
                            debiased=True, **kw
                        )
                        _ = (r.first_stage.diagnostics, r.sargan, r.wu_hausman())

                line += f"   linearmodels {best_of(lm) * 1e3:8.1f} ms"
            except ImportError:
                line += "   (linearmodels not installed)"
            print(line)


if __name__ == "__main__":
    main()
