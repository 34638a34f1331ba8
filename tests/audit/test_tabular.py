"""CSV and XLSX transcriptions give the same verdicts as the YAML form."""

from __future__ import annotations

import pytest

from flexemp.audit import audit_file, audit_yaml
from flexemp.core.errors import AuditFormatError

CSV = """kind,title,basis,thresholds,ci_level,term,coef,se,ci_low,ci_high,code,count,n,claimed_mean
regression,表6,z,*:0.10;**:0.05;***:0.01,0.95,理财情况,-0.715,0.150,0.421,1.009,,,,
regression,表6,,,,地区,-0.072,0.032,-0.135,-0.009,,,,
frequency,参保意愿,,,,,,,,,0,49,100,0.59
frequency,参保意愿,,,,,,,,,1,51,,
"""

YAML = """
- kind: regression
  title: 表6
  basis: z
  thresholds: {"*": 0.10, "**": 0.05, "***": 0.01}
  ci_level: 0.95
  rows:
    - {term: 理财情况, coef: -0.715, se: 0.150, ci_low: 0.421, ci_high: 1.009}
    - {term: 地区, coef: -0.072, se: 0.032, ci_low: -0.135, ci_high: -0.009}
- kind: frequency
  title: 参保意愿
  n: 100
  options:
    - {code: 0, count: 49}
    - {code: 1, count: 51}
  claimed_mean: 0.59
"""


def _verdicts(report):
    return [(c.table, c.row, c.check, c.verdict) for c in report.checks]


def test_csv_equals_yaml(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text(CSV, encoding="utf-8")
    assert _verdicts(audit_file(path)) == _verdicts(audit_yaml(YAML))
    # seed 003 Table 6: the CI of 理财情况 has the wrong sign; seed 001: 0.59 beside a 49/51 split
    bad = {(t, r, c) for t, r, c, v in _verdicts(audit_file(path)) if v == "inconsistent"}
    assert ("表6", "理财情况", "ci_sign") in bad
    assert any(t == "参保意愿" for t, _, _ in bad)


def test_xlsx_with_text_cells(tmp_path):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    rows = [line.split(",") for line in CSV.strip().splitlines()]
    for r in rows:
        ws.append(r)  # every cell written as text: printed digits are kept
    path = tmp_path / "t.xlsx"
    wb.save(path)
    assert _verdicts(audit_file(path)) == _verdicts(audit_yaml(YAML))


@pytest.mark.parametrize(("text", "phrase"), [
    ("title,coef\nx,1\n", "needs the columns kind and title"),
    ("kind,title,colour\nregression,t,red\n", "unknown column"),
    ("kind,title,term\nanova,t,x\n", "is not one of"),
])
def test_tabular_refusals(tmp_path, text, phrase):
    path = tmp_path / "bad.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(AuditFormatError, match=phrase):
        audit_file(path)
