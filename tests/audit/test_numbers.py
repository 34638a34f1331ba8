"""Printed numbers as rounding intervals, and the YAML loader that keeps printed digits."""

from __future__ import annotations

import math

import pytest

from flexemp.audit.formats import load_yaml_text
from flexemp.audit.numbers import parse_printed, split_stars
from flexemp.core.errors import AuditFormatError

TOL = 1e-12  # float representation of decimal half-units


@pytest.mark.parametrize(
    ("raw", "lo", "hi"),
    [
        ("0.093", 0.0925, 0.0935),
        ("0.090", 0.0895, 0.0905),  # trailing zero kept: three decimals
        (0.09, 0.085, 0.095),  # a float: decimals from repr
        ("−0.072", -0.0725, -0.0715),  # U+2212 minus
        ("－０．０７２", -0.0725, -0.0715),  # full-width digits (seed 003)
        ("49.00%", 48.995, 49.005),
        ("10, 170", 10169.5, 10170.5),  # thousands separator as printed in seed 004 Table 4
        ("<0.001", 0.0, 0.001),
    ],
)
def test_parse_printed_interval(raw: object, lo: float, hi: float) -> None:
    p = parse_printed(raw, "here")
    assert math.isclose(p.lo, lo, abs_tol=TOL) and math.isclose(p.hi, hi, abs_tol=TOL)


def test_split_stars_from_coefficient_text() -> None:
    assert split_stars("0.123***") == ("0.123", "***")
    assert split_stars("-1.2*") == ("-1.2", "*")
    assert split_stars("0.5") == ("0.5", None)


def test_not_a_number_is_refused_with_location() -> None:
    with pytest.raises(AuditFormatError, match=r"table 1, 'se'.*not a number"):
        parse_printed("n.s.", "table 1, 'se'")


def test_yaml_loader_keeps_printed_digits_of_unquoted_numbers() -> None:
    doc = load_yaml_text(
        "- {kind: descriptive, rows: [{variable: x, mean: 0.090, n: 100, binary: true}]}"
    )
    row = doc[0]["rows"][0]
    assert row["mean"] == "0.090" and row["n"] == "100" and row["binary"] is True
    assert doc[0].line == 1
