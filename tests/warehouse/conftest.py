"""A raw CSV with fake personal data, its codebook, and a key in a temporary FLEXEMP_HOME."""

from __future__ import annotations

import pandas as pd
import pytest

CODEBOOK = """\
dataset: riders_test
variables:
  - {name: rid, type: id, label_zh: 编号}
  - {name: name, type: text, label_zh: 姓名, pii: direct}
  - {name: phone, type: text, label_zh: 手机号, pii: direct}
  - {name: idcard, type: text, label_zh: 身份证号, pii: direct}
  - {name: sat, type: ordinal, label_zh: 满意度, codes: {1: 不满意, 2: 一般, 3: 满意}, missing: [99]}
  - {name: age, type: continuous, label_zh: 年龄, range: [16, 99]}
"""

PHONES = ["13812345678", "13987654321", "15011112222", "18633334444"]
IDCARDS = ["11010519491231002X", "310101199001011234", "440301198512125678", "510104200002029876"]


@pytest.fixture(autouse=True)
def _home(tmp_path, monkeypatch):
    monkeypatch.setenv("FLEXEMP_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("FLEXEMP_PSEUDONYM_KEY", "test-key-0123456789abcdef")
    monkeypatch.delenv("FLEXEMP_PSEUDONYM_KEY_FILE", raising=False)


@pytest.fixture
def codebook_file(tmp_path):
    p = tmp_path / "cb.yaml"
    p.write_text(CODEBOOK, encoding="utf-8")
    return p


def write_raw(path, ages=(30, 41, 25, 52)):
    frame = pd.DataFrame(
        {
            "rid": ["R1", "R2", "R3", "R4"],
            "name": ["张伟", "王芳", "李娜", "刘强"],
            "phone": PHONES,
            "idcard": IDCARDS,
            "sat": [1, 3, 99, 2],
            "age": list(ages),
        }
    )
    frame.to_csv(path, index=False, encoding="utf-8")
    return path


@pytest.fixture
def raw_file(tmp_path):
    return write_raw(tmp_path / "raw.csv")
