"""2SLS references from linearmodels (IV2SLS, IVGMM) on the data of ``iv.R``: writes out/iv_linearmodels.json.

Run: ``.venv/bin/python tests/reference/iv_linearmodels.py`` (needs ``pip install 'linearmodels>=7.1'``;
the tests read only the JSON and never import linearmodels).

Cases: the three specifications of ``iv.R`` (over-identified, just-identified, two endogenous
regressors) on working women in ``data/mroz_iv.csv``, each with ``cov_type="unadjusted"``,
``"robust"`` and ``"clustered"`` (clusters: ``age``), all with ``debiased=True``; and the main case
with the probability weights ``pw``.  Frequency weights are not stored: linearmodels treats
weights as analytic weights (N = number of rows), flexemp's ``weight_kind="freq"`` uses N = Σw.

Quantities, in linearmodels' own definitions (tests/models/test_iv_linearmodels.py maps them):

- ``estimate``, ``std_error``: ``res.params``, ``res.std_errors``;
- ``fs_estimate``, ``fs_std_error`` (term ``endog:regressor``): ``res.first_stage.individual``;
- ``fs_partial_r2``, ``fs_f_stat`` (term ``endog``): ``res.first_stage.diagnostics``
  ``partial.rsquared`` and ``f.stat`` — an F (Wald/L2) under "unadjusted", the Wald χ² otherwise;
- ``kp_rk_lm``, ``kp_rk_lm_df``, ``kp_rk_wald_f``, ``cragg_donald_f``, ``cragg_donald``:
  ``res.first_stage.kleibergen_paap`` (stat, df), ``.kleibergen_paap_f``, ``.cragg_donald_f``,
  ``.cragg_donald`` (χ² form);
- ``sargan``, ``basmann`` (over-identified only; the same under every cov_type);
- ``wu_hausman`` (F), ``durbin`` (χ²), ``wooldridge_regression`` (χ² with the model's covariance),
  ``wooldridge_score``;
- ``j_stat``: ``IVGMM(..., weight_type=robust|clustered).fit(iter_limit=2).j_stat`` (over-identified,
  robust and clustered only).

Values are stored as JSON floats (``repr``), which round-trip exactly.
"""

from __future__ import annotations

import json
import platform
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
SPECS: dict[str, tuple[list[str], list[str], list[str], str]] = {
    "mroz_iv": (
        ["exper", "expersq"],
        ["educ"],
        ["motheduc", "fatheduc"],
        "lwage ~ exper + expersq + [educ ~ motheduc + fatheduc]",
    ),
    "mroz_iv_just": ([], ["educ"], ["fatheduc"], "lwage ~ [educ ~ fatheduc]"),
    "mroz_iv_two": (
        ["expersq"],
        ["educ", "exper"],
        ["motheduc", "fatheduc", "huseduc", "age"],
        "lwage ~ expersq + [educ + exper ~ motheduc + fatheduc + huseduc + age]",
    ),
}
LM_COV = {"classical": "unadjusted", "robust": "robust", "cluster": "clustered"}


def _rows(case: str, vcov: str, weights: str, d: pd.DataFrame) -> list[dict[str, Any]]:
    from linearmodels.iv import IV2SLS, IVGMM

    x1, x2, z2, _ = SPECS[case]
    exog = d[["Intercept", *x1]]
    w = d["pw"] if weights == "prob" else None
    kw: dict[str, Any] = {"cov_type": LM_COV[vcov], "debiased": True}
    if vcov == "cluster":
        kw["clusters"] = d["age"]
    res = IV2SLS(d["lwage"], exog, d[x2], d[z2], weights=w).fit(**kw)
    out: list[dict[str, Any]] = []

    def put(quantity: str, value: float, term: str = "") -> None:
        out.append(
            {
                "case": case,
                "model": "iv2sls",
                "vcov": vcov,
                "weights": weights,
                "term": term,
                "quantity": quantity,
                "value": float(value),
            }
        )

    for t in res.params.index:
        put("estimate", res.params[t], t)
        put("std_error", res.std_errors[t], t)
    fs = res.first_stage
    diag = fs.diagnostics
    for e in x2:
        ind = fs.individual[e]
        for t in ind.params.index:
            put("fs_estimate", ind.params[t], f"{e}:{t}")
            put("fs_std_error", ind.std_errors[t], f"{e}:{t}")
        put("fs_partial_r2", diag.loc[e, "partial.rsquared"], e)
        put("fs_f_stat", diag.loc[e, "f.stat"], e)
    put("kp_rk_lm", fs.kleibergen_paap.stat)
    put("kp_rk_lm_df", fs.kleibergen_paap.df)
    put("kp_rk_wald_f", fs.kleibergen_paap_f)
    put("cragg_donald", fs.cragg_donald.stat)
    put("cragg_donald_f", fs.cragg_donald_f)
    if len(z2) > len(x2):
        put("sargan", res.sargan.stat)
        put("basmann", res.basmann.stat)
    put("wu_hausman", res.wu_hausman().stat)
    put("durbin", res.durbin().stat)
    put("wooldridge_regression", res.wooldridge_regression.stat)
    put("wooldridge_score", res.wooldridge_score.stat)
    if len(z2) > len(x2) and vcov != "classical":
        gkw: dict[str, Any] = {"weight_type": "robust"}
        if vcov == "cluster":
            gkw = {"weight_type": "clustered", "clusters": d["age"]}
        g = IVGMM(d["lwage"], exog, d[x2], d[z2], weights=w, **gkw).fit(iter_limit=2, **kw)
        put("j_stat", g.j_stat.stat)
    return out


def main() -> None:
    """Write ``out/iv_linearmodels.json``."""
    import linearmodels

    d0 = pd.read_csv(HERE / "data" / "mroz_iv.csv")
    d = d0[d0["inlf"] == 1].reset_index(drop=True).assign(Intercept=1.0)
    rows: list[dict[str, Any]] = []
    cases: dict[str, Any] = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for case, (_, _, _, formula) in SPECS.items():
            for vcov in ("classical", "robust", "cluster"):
                rows += _rows(case, vcov, "none", d)
            cases[case] = {
                "data": "data/mroz_iv.csv",
                "formula": formula,
                "model": "iv2sls",
                "weights": "prob: pw" if case == "mroz_iv" else "none",
                "cluster": "age",
                "vcov": "classical, robust, cluster",
                "linearmodels": "IV2SLS(dep, exog, endog, instr[, weights]).fit(cov_type=unadjusted|robust|"
                "clustered, debiased=True[, clusters=age])",
                "note": "working women (inlf == 1)",
            }
        for vcov in ("robust", "cluster"):
            rows += _rows("mroz_iv", vcov, "prob", d)
    meta = {
        "topic": "iv_linearmodels",
        "python_version": platform.python_version(),
        "packages": {
            "linearmodels": linearmodels.__version__,
            "numpy": np.__version__,
            "pandas": pd.__version__,
        },
        "cases": cases,
        "rows": rows,
    }
    (HERE / "out" / "iv_linearmodels.json").write_text(
        json.dumps(meta, indent=1) + "\n", encoding="utf-8"
    )
    print(f"wrote out/iv_linearmodels.json ({len(rows)} values)")


if __name__ == "__main__":
    main()
