"""Coefficient and covariance frames built from a cached term Index: same frame, independent axes."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import special

from flexemp.models.fitting import _vcov_frame
from flexemp.models.results import COEF_COLUMNS, coef_table, term_index


def _inputs() -> tuple[list[str], np.ndarray, np.ndarray]:
    rng = np.random.default_rng(3)
    A = rng.normal(size=(4, 4))
    return ["Intercept", "x1", "x2", "x3"], rng.normal(size=4), A @ A.T


def test_coef_table_equals_a_dict_of_columns() -> None:
    names, b, V = _inputs()
    se = np.sqrt(np.diag(V))
    z = b / se
    q = special.ndtri(0.975)
    expected = pd.DataFrame({"term": names, "estimate": b, "std_error": se, "statistic": z,
                             "p_value": 2 * special.ndtr(-np.abs(z)), "conf_low": b - q * se, "conf_high": b + q * se})
    got = coef_table(names, b, V, conf_level=0.95, df=None)
    pd.testing.assert_frame_equal(got, expected, check_exact=True)
    assert tuple(got.columns) == COEF_COLUMNS


def test_frames_do_not_share_mutable_state() -> None:
    names, b, V = _inputs()
    first = coef_table(names, b, V, conf_level=0.95, df=None)
    first.loc[0, "term"] = "changed"  # writable, and no other table sees it
    first.columns.name = "renamed"
    second = coef_table(names, b, V, conf_level=0.95, df=None)
    assert second.loc[0, "term"] == "Intercept" and second.columns.name is None
    vc = _vcov_frame(V, names)
    vc.index.name = "row"
    assert vc.columns.name is None and _vcov_frame(V, names).index.name is None
    assert list(term_index(names)) == names and term_index(names) is not term_index(names)


def test_frames_and_provenance_are_formed_on_first_access_and_kept() -> None:
    """A fitted result holds the estimates and covariance as arrays; the pandas frames and the provenance are
    built when first read (then kept: the same objects on every access) and equal the eager builders' output."""
    import flexemp
    from flexemp.models.fitting import _data_hash

    rng = np.random.default_rng(4)
    df = pd.DataFrame({"x": rng.normal(size=300), "g": rng.integers(0, 20, 300)})
    df["y"] = (rng.logistic(size=300) < df["x"]).astype(float)
    for fit in (flexemp.logit, flexemp.ols):
        res = fit("y ~ x", df, vcov="cluster", cluster="g")
        assert not {"coefficients", "vcov", "provenance"} & set(vars(res))
        st = res.state()
        names = ["Intercept", "x"]
        V = res.vcov
        assert res.vcov is V and list(V.index) == names
        df_t = None if fit is flexemp.logit else 19.0  # OLS with clusters: t with G − 1 degrees of freedom
        pd.testing.assert_frame_equal(res.coefficients,
                                      coef_table(names, st.params, V.to_numpy(), conf_level=0.95, df=df_t))
        assert res.coefficients is res.coefficients
        d = _design_of(df)
        assert res.provenance["data_hash"] == _data_hash(d.X, d.y, d.w)
        assert res.provenance is res.provenance
        assert flexemp.EstimationResult.from_dict(res.to_dict()).to_dict() == res.to_dict()


def _design_of(df: pd.DataFrame):  # type: ignore[no-untyped-def]
    from flexemp.models.design_matrix import build_design

    return build_design("y ~ x", df, outcome="continuous")


def test_a_result_does_not_keep_the_callers_dataframe_alive() -> None:
    """The lazily formed parts hold the design's arrays, never the DataFrame the model was fitted on."""
    import gc
    import weakref

    import flexemp

    rng = np.random.default_rng(6)
    df = pd.DataFrame({"x": rng.normal(size=200)})
    df["y"] = (rng.logistic(size=200) < df["x"]).astype(float)
    res = flexemp.logit("y ~ x", df)
    ref = weakref.ref(df)
    del df
    gc.collect()
    assert ref() is None
    assert len(res.provenance["data_hash"]) == 64 and res.coefficients.shape == (2, 7)
