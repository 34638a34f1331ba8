"""The Examples sections of the descriptive modules run (doctest)."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = [
    "flexemp.describe.tables",
    "flexemp.describe.compare",
    "flexemp.describe.multiselect",
    "flexemp.present.descriptive_table",
]


@pytest.mark.parametrize("name", MODULES)
def test_doctests(name):
    res = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert res.attempted > 0
    assert res.failed == 0
