"""Keyed pseudonyms: stable, keyed, normalised; key resolution and refusal."""

from __future__ import annotations

import hashlib
import hmac
import os
import stat

import pandas as pd
import pytest

from flexemp.core.errors import PseudonymKeyError
from flexemp.ingest.pseudonymise import (
    create_key_file,
    looks_like_identifier,
    mask_value,
    pseudonymise,
    resolve_key,
)

KEY = b"0123456789abcdef-test-key"


def test_pseudonym_is_hmac_sha256_of_normalised_value():
    out = pseudonymise(pd.Series(["138 1234-5678", "13812345678", None]), KEY)
    expected = "p_" + hmac.new(KEY, b"13812345678", hashlib.sha256).hexdigest()[:20]
    assert out.iloc[0] == expected
    assert out.iloc[1] == expected
    assert pd.isna(out.iloc[2])


def test_different_keys_give_unlinkable_pseudonyms():
    s = pd.Series(["13812345678"])
    assert pseudonymise(s, KEY).iloc[0] != pseudonymise(s, KEY + b"x").iloc[0]


def test_key_from_environment_and_file(tmp_path, monkeypatch):
    monkeypatch.delenv("FLEXEMP_PSEUDONYM_KEY", raising=False)
    monkeypatch.delenv("FLEXEMP_PSEUDONYM_KEY_FILE", raising=False)
    monkeypatch.setenv("FLEXEMP_HOME", str(tmp_path))
    assert resolve_key() is None
    path = create_key_file()
    assert path == tmp_path / "pseudonym.key"
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert len(resolve_key()) == 64
    with pytest.raises(PseudonymKeyError, match="exists"):
        create_key_file()
    monkeypatch.setenv("FLEXEMP_PSEUDONYM_KEY", "short")
    with pytest.raises(PseudonymKeyError, match="at least 16"):
        resolve_key()
    monkeypatch.setenv("FLEXEMP_PSEUDONYM_KEY", "x" * 20)
    assert resolve_key() == b"x" * 20
    monkeypatch.delenv("FLEXEMP_PSEUDONYM_KEY")
    monkeypatch.setenv("FLEXEMP_PSEUDONYM_KEY_FILE", str(tmp_path / "missing.key"))
    with pytest.raises(PseudonymKeyError, match="does not exist"):
        resolve_key()


@pytest.mark.parametrize(
    ("values", "kind"),
    [
        (["13812345678", "x"], "phone"),
        (["+86 13812345678"], "phone"),
        ([13812345678.0, 1.0], "phone"),
        (["11010519491231002X"], "id_card"),
        (["12812345678", "1381234567", "hello"], None),
    ],
)
def test_identifier_detection(values, kind):
    got, mask = looks_like_identifier(pd.Series(values))
    assert got == kind
    assert mask.sum() == (0 if kind is None else sum(1 for v in values if v not in ("x", 1.0)))


def test_mask_value_hides_the_middle():
    assert mask_value("13812345678") == "13*******78"
    assert mask_value("abc") == "***"
