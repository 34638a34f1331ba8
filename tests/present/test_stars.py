"""One rule for ``stars=``: the tables and the narrative sentences accept and refuse the same values."""

from __future__ import annotations

import dataclasses
import re

import numpy as np
import pytest

import flexemp
from flexemp.core.errors import UnsupportedOptionError
from flexemp.present import narrative_common
from flexemp.present import regression_table as rt_module
from flexemp.present.narrative import (
    coefficient_sentence,
    comparison_sentence,
    regression_paragraph,
)
from flexemp.present.regression_table import margins_table, regression_table, star_marks
from flexemp.present.stars import DEFAULT_STARS, check_stars, star_note
from flexemp.synth import get_dataset

# (stars, thresholds largest first)
GOOD = [
    pytest.param((0.10, 0.05, 0.01), (0.10, 0.05, 0.01), id="default"),
    pytest.param((0.01, 0.10, 0.05), (0.10, 0.05, 0.01), id="unsorted"),
    pytest.param((0.05, 0.01, 0.001), (0.05, 0.01, 0.001), id="5-1-0.1pct"),
    pytest.param((0.01, 0.05), (0.05, 0.01), id="two-unsorted"),
    pytest.param((0.05,), (0.05,), id="one"),
    pytest.param([0.10, 0.05], (0.10, 0.05), id="list"),
    pytest.param(np.array([0.10, 0.01]), (0.10, 0.01), id="numpy-array"),
    pytest.param((np.float32(0.25), np.float64(0.05)), (0.25, 0.05), id="numpy-scalars"),
    pytest.param((1e-12, 0.999), (0.999, 1e-12), id="near-the-ends"),
]
BAD = [
    pytest.param((), "no thresholds", id="empty"),
    pytest.param((0.10, 0.05, 0.01, 0.001), "4 thresholds", id="four-levels"),
    pytest.param((0.05, 0.05), "repeated", id="duplicate"),
    pytest.param((0.10, 0.05, 0.10), "repeated", id="duplicate-unsorted"),
    pytest.param((0.0,), "between 0 and 1", id="zero"),
    pytest.param((1.0,), "between 0 and 1", id="one-itself"),
    pytest.param((0.10, 1), "between 0 and 1", id="int-one"),
    pytest.param((-0.05,), "between 0 and 1", id="negative"),
    pytest.param((0.10, -0.05), "between 0 and 1", id="one-negative"),
    pytest.param((1.5,), "between 0 and 1", id="above-one"),
    pytest.param((float("nan"),), "between 0 and 1", id="nan"),
    pytest.param((float("inf"), 0.05), "between 0 and 1", id="inf"),
    pytest.param(("0.05",), "must be a number", id="string-item"),
    pytest.param((True,), "must be a number", id="bool"),
    pytest.param((None, 0.05), "must be a number", id="none-item"),
    pytest.param("0.05", "not a sequence", id="string"),
    pytest.param(0.05, "not a sequence", id="scalar"),
    pytest.param(None, "not a sequence", id="none"),
]


@pytest.fixture(scope="module")
def pw():
    return get_dataset("platform_workers").generate()


@pytest.fixture(scope="module")
def fit(pw):
    return flexemp.probit("injury ~ contract + age", pw)


@pytest.fixture(scope="module")
def me(fit, pw):
    return flexemp.margins(fit, pw)


def _users(fit, me):
    """Every public entry point that takes ``stars=``: tables, the star helpers and the sentences."""
    return {
        "regression_table": lambda s: regression_table(fit, stars=s),
        "margins_table": lambda s: margins_table(me, stars=s),
        "star_marks": lambda s: star_marks(0.02, s),
        "star_note": lambda s: star_note(s, "zh"),
        "coefficient_sentence": lambda s: coefficient_sentence("x", 0.2, 0.02, stars=s),
        "regression_paragraph": lambda s: regression_paragraph([("x", 0.2, 0.02)], outcome="y", stars=s),
        "comparison_sentence": lambda s: comparison_sentence("有房贷", "A", 0.4, "B", 0.3, 0.02, stars=s),
    }


@pytest.mark.parametrize(("stars", "levels"), GOOD)
def test_every_user_accepts_the_same_good_values(stars, levels, fit, me):
    assert check_stars(stars) == levels
    for name, call in _users(fit, me).items():
        try:
            call(stars)
        except UnsupportedOptionError as exc:  # pragma: no cover - the failure message is the point
            pytest.fail(f"{name} refused stars={stars!r}: {exc}")


@pytest.mark.parametrize(("stars", "problem"), BAD)
def test_every_user_refuses_the_same_bad_values_with_one_error(stars, problem, fit, me):
    for name, call in _users(fit, me).items():
        with pytest.raises(UnsupportedOptionError) as info:
            call(stars)
        msg = str(info.value)
        assert msg.startswith("stars="), name
        assert problem in msg, (name, msg)
        assert "give 1 to 3 distinct p-value thresholds in (0, 1)" in msg, name


def test_one_function_behind_every_name():
    assert rt_module.check_stars is check_stars
    assert narrative_common.check_stars is check_stars
    assert narrative_common.DEFAULT_STARS == DEFAULT_STARS == (0.10, 0.05, 0.01)


@pytest.mark.parametrize("stars", [(0.10, 0.05, 0.01), (0.05, 0.01, 0.001), (0.01, 0.05), (0.10,)])
@pytest.mark.parametrize("p", [0.0, 0.0005, 0.001, 0.0099, 0.01, 0.03, 0.05, 0.0999, 0.10, 0.5, 1.0])
def test_sentence_is_significant_exactly_when_the_table_shows_a_star(stars, p):
    marks = star_marks(p, stars)
    text = coefficient_sentence("x", 0.2, p, stars=stars, lang="en")
    assert ("not statistically significant" in text) == (marks == "")
    if marks:
        # the sentence names the smallest threshold p is below: the one that earns the last star
        smallest = sorted(s for s in stars if p < s)[0]
        assert re.search(rf"significant at the {smallest * 100:g}% level", text), text
        assert len(marks) == sum(p < s for s in stars)


def test_table_note_and_cells_follow_unsorted_thresholds(fit):
    coefs = fit.coefficients.assign(p_value=[0.0005, 0.02, 0.5][: len(fit.coefficients)])
    fake = dataclasses.replace(fit, _coefficients=coefs)
    tab = regression_table(fake, stars=(0.01, 0.001, 0.05))
    got = {t: r.cells[0].stars for t, r in zip(tab.meta["row_terms"], tab.rows, strict=True) if r.kind == "body"}
    assert got == dict(zip(fit.coefficients["term"], ["***", "*", ""], strict=True))
    assert tab.notes[0].startswith("注：***、**、*分别表示在0.1%、1%、5%水平上显著")
