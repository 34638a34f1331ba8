"""Reliability and validity against psych::alpha, psych::KMO and psych::cortest.bartlett (reliability.R)."""

from __future__ import annotations

import json
import warnings

import numpy as np
import pandas as pd
import pytest
import typer.main
from typer.testing import CliRunner

from flexemp.cli import app
from flexemp.codebook import Code, Codebook, Variable
from flexemp.core.errors import DroppedRowsWarning, ScaleError, SingularCorrelationError
from flexemp.describe.scales import bartlett_sphericity, cronbach_alpha, kmo, reliability
from tests.reference.load import HERE, reference_data, reference_scalar, reference_values

# closed forms on both sides (sums of a 5 x 5 covariance matrix, an inverse, F and chi-square
# quantiles), so agreement is limited only by double-precision rounding
RTOL_CLOSED_FORM = 1e-9

CASES = {
    "bfi_agree": (["A1", "A2", "A3", "A4", "A5"], ["A1"]),
    "bfi_consc": (["C1", "C2", "C3", "C4", "C5"], ["C4", "C5"]),
    "bfi_agree_unkeyed": (["A2", "A3", "A4", "A5"], []),
}
ITEM_QUANTITIES = [
    "alpha_if_deleted",
    "alpha_std_if_deleted",
    "r",
    "std_r",
    "r_cor",
    "r_drop",
    "mean",
    "sd",
    "kmo_item",
]


def _ref(case: str, quantity: str) -> float:
    return reference_scalar("reliability", case, quantity, vcov="none", weights="none")


def _ref_items(case: str, quantity: str) -> pd.Series:
    return reference_values("reliability", case, quantity, vcov="none", weights="none")


@pytest.fixture(scope="module")
def bfi() -> pd.DataFrame:
    return reference_data("scales")


def _likert_codebook(
    items: list[str], reverse: list[str], missing: tuple[float, ...] = ()
) -> Codebook:
    codes = tuple(Code(float(v), f"{v}分") for v in range(1, 7))
    return Codebook(
        "bfi",
        tuple(
            Variable(
                i,
                "ordinal",
                f"宜人性{i}",
                label_en=f"Agreeableness {i}",
                codes=codes,
                reverse=i in reverse,
                missing=missing,
            )
            for i in items
        ),
    )


# ------------------------------------------------------------------ the matrix against psych
@pytest.mark.parametrize("case", list(CASES))
def test_scale_statistics_match_psych(bfi, case):
    items, rev = CASES[case]
    res = reliability(bfi, items, reverse=rev)
    for name, got in [
        ("alpha_raw", res.alpha),
        ("alpha_std", res.alpha_std),
        ("average_r", res.average_r),
        ("alpha_ci_low", res.alpha_ci[0]),
        ("alpha_ci_high", res.alpha_ci[1]),
        ("nobs", res.n),
        ("kmo", res.kmo),
        ("bartlett_chi2", res.bartlett.chi2),
        ("bartlett_df", res.bartlett.df),
        ("bartlett_p", res.bartlett.p_value),
    ]:
        assert got == pytest.approx(_ref(case, name), rel=RTOL_CLOSED_FORM), name
    assert res.reversed == tuple(rev)


@pytest.mark.parametrize("case", list(CASES))
@pytest.mark.parametrize("quantity", ITEM_QUANTITIES)
def test_item_statistics_match_psych(bfi, case, quantity):
    items, rev = CASES[case]
    res = reliability(bfi, items, reverse=rev)
    expected = _ref_items(case, quantity)
    got = res.items.set_index("item")[quantity]
    np.testing.assert_allclose(
        got.loc[expected.index].to_numpy(), expected.to_numpy(), rtol=RTOL_CLOSED_FORM
    )
    if quantity == "kmo_item":
        np.testing.assert_allclose(
            [res.kmo_items[i] for i in expected.index], expected.to_numpy(), rtol=RTOL_CLOSED_FORM
        )


def test_single_functions_match_psych(bfi):
    items = CASES["bfi_consc"][0]
    a = cronbach_alpha(bfi, items, reverse=["C4", "C5"])
    assert (a.alpha, a.alpha_std) == pytest.approx(
        (_ref("bfi_consc", "alpha_raw"), _ref("bfi_consc", "alpha_std")), rel=RTOL_CLOSED_FORM
    )
    assert a.alpha_ci == pytest.approx(
        (_ref("bfi_consc", "alpha_ci_low"), _ref("bfi_consc", "alpha_ci_high")),
        rel=RTOL_CLOSED_FORM,
    )
    assert (a.n, a.k) == (500, 5)
    # KMO and Bartlett do not depend on reverse keying (squared correlations, |R|)
    k = kmo(bfi, items)
    assert k.kmo == pytest.approx(_ref("bfi_consc", "kmo"), rel=RTOL_CLOSED_FORM)
    np.testing.assert_allclose(
        k.items.loc[items].to_numpy(),
        _ref_items("bfi_consc", "kmo_item").loc[items].to_numpy(),
        rtol=RTOL_CLOSED_FORM,
    )
    b = bartlett_sphericity(bfi, items)
    assert (b.chi2, b.df, b.p_value) == pytest.approx(
        (_ref("bfi_consc", "bartlett_chi2"), 10, _ref("bfi_consc", "bartlett_p")),
        rel=RTOL_CLOSED_FORM,
    )


# ------------------------------------------------------------------ reverse keying, missing values
def test_reverse_keying_from_the_codebook_uses_its_codes(bfi):
    items = CASES["bfi_agree"][0]
    res = reliability(bfi, items, codebook=_likert_codebook(items, ["A1"]))
    assert res.reversed == ("A1",)
    assert res.alpha == pytest.approx(_ref("bfi_agree", "alpha_raw"), rel=RTOL_CLOSED_FORM)
    # the reversed mean is (1 + 6) - mean of the raw answers
    assert res.items["mean"].iloc[0] == pytest.approx(7 - bfi["A1"].mean(), rel=RTOL_CLOSED_FORM)


def test_codebook_codes_not_the_observed_range_define_the_flip(bfi):
    # codes 1..7 although only 1..6 are observed: the flip is 8 - x, which shifts the mean but not alpha
    items = CASES["bfi_agree"][0]
    codes = tuple(Code(float(v), str(v)) for v in range(1, 8))
    cb = Codebook(
        "x", tuple(Variable(i, "ordinal", i, codes=codes, reverse=i == "A1") for i in items)
    )
    res = reliability(bfi, items, codebook=cb)
    assert res.items["mean"].iloc[0] == pytest.approx(8 - bfi["A1"].mean(), rel=RTOL_CLOSED_FORM)
    assert res.alpha == pytest.approx(_ref("bfi_agree", "alpha_raw"), rel=RTOL_CLOSED_FORM)


def test_explicit_reverse_overrides_the_codebook(bfi):
    items = CASES["bfi_agree"][0]
    flipped = bfi.assign(A1=7 - bfi["A1"])
    res = reliability(flipped, items, codebook=_likert_codebook(items, ["A1"]), reverse=[])
    assert res.reversed == ()
    assert res.alpha == pytest.approx(_ref("bfi_agree", "alpha_raw"), rel=RTOL_CLOSED_FORM)


def test_listwise_deletion_counts_rows_and_matches_complete_cases(bfi):
    items, rev = CASES["bfi_agree"]
    extra = pd.DataFrame(
        {
            "A1": [np.nan, 2.0, 99.0],
            "A2": [3.0, np.nan, 4.0],
            "A3": [1.0, 2.0, 3.0],
            "A4": [5.0, 5.0, 5.0],
            "A5": [np.nan, 6.0, 2.0],
        }
    )
    data = pd.concat([extra, bfi[items]], ignore_index=True)
    before = data.copy()
    with pytest.warns(DroppedRowsWarning, match="3 of 503 rows"):
        res = reliability(data, items, codebook=_likert_codebook(items, rev, missing=(99.0,)))
    assert (res.n, res.n_dropped) == (500, 3)
    assert res.alpha == pytest.approx(_ref("bfi_agree", "alpha_raw"), rel=RTOL_CLOSED_FORM)
    pd.testing.assert_frame_equal(data, before)  # the caller's frame is not changed


def test_row_order_does_not_matter(bfi):
    items, rev = CASES["bfi_consc"]
    shuffled = bfi.sample(frac=1.0, random_state=np.random.default_rng(3).integers(1 << 31))
    a, b = reliability(bfi, items, reverse=rev), reliability(shuffled, items, reverse=rev)
    assert a.alpha == pytest.approx(b.alpha, rel=1e-12)
    np.testing.assert_allclose(a.items["r_drop"], b.items["r_drop"], rtol=1e-12)


def test_two_items_closed_form():
    # var x = var y = 5/3, cov = 4/3: alpha = 2 (1 - (10/3) / (10/3 + 8/3)) = 8/9; r = 4/5 and
    # standardized alpha = 2r / (1 + r) = 8/9; alpha if deleted is undefined for 2 items
    df = pd.DataFrame({"x": [1.0, 2.0, 3.0, 4.0], "y": [1.0, 3.0, 2.0, 4.0]})
    res = cronbach_alpha(df, ["x", "y"])
    assert (res.alpha, res.alpha_std, res.average_r) == pytest.approx(
        (8 / 9, 8 / 9, 0.8), rel=1e-12
    )
    rel = reliability(df, ["x", "y"])
    assert rel.items["alpha_if_deleted"].isna().all()
    assert rel.items["r_drop"].to_numpy() == pytest.approx([0.8, 0.8], rel=1e-12)


# ------------------------------------------------------------------ presentation
def test_table_is_spssau_style_in_chinese_and_english(bfi):
    items = CASES["bfi_agree"][0]
    res = reliability(bfi, items, codebook=_likert_codebook(items, ["A1"]))
    zh = res.table()
    assert list(zh.columns) == [
        "题项",
        "均值",
        "标准差",
        "校正项总计相关性(CITC)",
        "项已删除的α系数",
        "Cronbach α系数",
        "标准化Cronbach α系数",
    ]
    assert zh["题项"].iloc[0] == "宜人性A1(反向)"
    assert zh["校正项总计相关性(CITC)"].tolist() == pytest.approx(
        _ref_items("bfi_agree", "r_drop").round(3).tolist()
    )
    assert zh["Cronbach α系数"].iloc[0] == round(_ref("bfi_agree", "alpha_raw"), 3)
    assert zh["Cronbach α系数"].iloc[1:].isna().all()
    en = res.table("en")
    assert en.columns[3] == "Corrected item-total correlation (CITC)"
    assert en["Item"].iloc[0] == "Agreeableness A1 (reversed)"
    v = res.validity_table()
    assert v["值"].tolist() == [
        f"{_ref('bfi_agree', 'kmo'):.3f}",
        f"{_ref('bfi_agree', 'bartlett_chi2'):.3f}",
        "10",
        "<0.001",
    ]


def test_to_dict_is_json_ready(bfi):
    items, rev = CASES["bfi_agree"]
    d = json.loads(json.dumps(reliability(bfi, items, reverse=rev).to_dict()))
    assert d["alpha_ci"] == pytest.approx(
        [_ref("bfi_agree", "alpha_ci_low"), _ref("bfi_agree", "alpha_ci_high")],
        rel=RTOL_CLOSED_FORM,
    )
    assert [r["item"] for r in d["items"]] == items
    assert set(d["bartlett"]) == {"chi2", "df", "p_value"}


# ------------------------------------------------------------------ refusals
def test_refuses_fewer_than_two_items(bfi):
    with pytest.raises(ScaleError, match="at least 2 items"):
        reliability(bfi, ["A1"])
    with pytest.raises(ScaleError, match="at least 2 items"):
        cronbach_alpha(bfi, "A1")  # type: ignore[arg-type]


def test_refuses_unknown_duplicated_and_non_numeric_items(bfi):
    with pytest.raises(ScaleError, match=r"not in the data: \['A9'\]"):
        reliability(bfi, ["A1", "A9"])
    with pytest.raises(ScaleError, match="listed twice"):
        reliability(bfi, ["A1", "A2", "A1"])
    data = bfi.assign(A2=bfi["A2"].astype(str).where(bfi.index != 4, "同意"))
    with pytest.raises(
        ScaleError,
        match=r"not numeric \(column 'A2': 1 non-numeric cells, first \['同意'\] in rows \[4\]",
    ):
        reliability(data, ["A1", "A2"])


def test_refuses_constant_items(bfi):
    with pytest.raises(ScaleError, match=r"items \['K'\] are constant"):
        reliability(bfi.assign(K=3), ["A1", "A2", "K"])


def test_refuses_a_singular_correlation_matrix(bfi):
    data = bfi.assign(S=bfi["A2"] + bfi["A3"])
    for fn in (reliability, kmo, bartlett_sphericity):
        with pytest.raises(
            SingularCorrelationError,
            match=r"singular .* items \['A2', 'A3', 'S'\] are linearly dependent",
        ):
            fn(data, ["A2", "A3", "A4", "S"])


def test_refuses_reverse_items_outside_the_scale(bfi):
    with pytest.raises(ScaleError, match=r"reverse-keyed items \['C4'\] are not among"):
        reliability(bfi, ["A1", "A2"], reverse=["C4"])


def test_refuses_unknown_table_language(bfi):
    from flexemp.core.errors import UnsupportedOptionError

    res = reliability(bfi, ["A2", "A3"])
    with pytest.raises(UnsupportedOptionError):
        res.table("fr")  # type: ignore[arg-type]


# ------------------------------------------------------------------ CLI
@pytest.fixture(scope="module")
def cli_app() -> typer.Typer:
    if "reliability" not in typer.main.get_command(app).commands:  # type: ignore[attr-defined]
        from flexemp.cli_describe import register

        register(app)
    return app


DATA = str(HERE / "data" / "scales.csv")


def test_cli_reliability_json_matches_psych(cli_app):
    out = CliRunner().invoke(
        cli_app,
        [
            "reliability",
            "--data",
            DATA,
            "--items",
            "A1",
            "A2",
            "A3",
            "A4",
            "A5",
            "--reverse",
            "A1",
            "--json",
        ],
    )
    assert out.exit_code == 0, out.output
    d = json.loads(out.output)
    assert d["alpha"] == pytest.approx(_ref("bfi_agree", "alpha_raw"), rel=RTOL_CLOSED_FORM)
    assert d["n"] == 500
    assert d["kmo_items"]["A4"] == pytest.approx(
        _ref_items("bfi_agree", "kmo_item")["A4"], rel=RTOL_CLOSED_FORM
    )
    assert d["bartlett"]["df"] == 10
    assert d["items"][0]["r_drop"] == pytest.approx(
        _ref_items("bfi_agree", "r_drop")["A1"], rel=RTOL_CLOSED_FORM
    )


def test_cli_reliability_table_and_comma_lists(cli_app):
    out = CliRunner().invoke(
        cli_app, ["reliability", "--data", DATA, "--items", "C1,C2,C3,C4,C5", "--reverse", "C4,C5"]
    )
    assert out.exit_code == 0, out.output
    assert f"Cronbach α = {_ref('bfi_consc', 'alpha_raw'):.3f}" in out.output
    assert "校正项总计相关性(CITC)" in out.output
    assert "KMO值" in out.output


def test_cli_reliability_error_line(cli_app):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out = CliRunner().invoke(cli_app, ["reliability", "--data", DATA, "--items", "A1"])
    assert out.exit_code == 1
    assert "Error:" in out.output
    assert "at least 2 items" in out.output
