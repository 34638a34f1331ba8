"""The example transcriptions of the seed documents: the known inconsistencies are flagged,
the consistent rows pass.  Expected verdicts cite the seed tables (shared/seeds/)."""

from __future__ import annotations

from pathlib import Path

import pytest

from flexemp.audit import audit_file, audit_yaml
from flexemp.audit.report import COLUMNS
from flexemp.core.errors import AuditFormatError

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "audit"


def _verdicts(name: str) -> dict[tuple[str, str, str], str]:
    rep = audit_file(EXAMPLES / name)
    return {(c.table, c.row, c.check): c.verdict for c in rep.checks}


def test_seed_001_willingness_mean() -> None:
    # 001 Table 1: 是 49 / 否 51; Table 2: 有意愿 = 0, 没有意愿 = 1, mean 0.59 (must be 0.51)
    v = _verdicts("seed_001.yaml")
    assert v[("表1/表2 个人意愿", "您是否愿意参加职业伤害保险", "frequency_mean")] == "inconsistent"
    assert v[("表2 变量赋值", "个人意愿", "binary_sd")] == "inconsistent"
    # 1·69 + 2·31 = 131 → 1.31; 1·21 + 2·64 + 3·15 = 194 → 1.94; education 274 → 2.74
    for title, q in (
        ("表1/表2 性别", "您的性别是"),
        ("表1/表2 年龄段", "您的年龄属于以下哪个年龄段"),
        ("表1/表2 文化程度", "您当前的文化程度"),
    ):
        assert v[(title, q, "frequency_mean")] == "consistent"
        assert v[(title, q, "frequency_sd")] == "consistent"


def test_seed_003_ci_problems() -> None:
    v = _verdicts("seed_003.yaml")
    # Table 6 理财情况: −0.715 with CI [0.471, 0.959]; the CI's width still matches SE 0.124
    assert v[("表6 是否受到融资约束的因素", "理财情况", "ci_sign")] == "inconsistent"
    assert v[("表6 是否受到融资约束的因素", "理财情况", "ci_se")] == "consistent"
    # Table 4 性别: SE 0.0892, CI [−0.160, 0.139] implies 0.1495/1.96 ≈ 0.076
    assert v[("表4 就业状态影响因素", "性别", "ci_se")] == "inconsistent"
    # every other check of Table 4 passes
    others = {
        k: x for k, x in v.items() if k[0] == "表4 就业状态影响因素" and k[1:] != ("性别", "ci_se")
    }
    assert len(others) == 12 * 3 - 1 and set(others.values()) == {"consistent"}


def test_seed_000_and_004_consistent_figures() -> None:
    v0 = _verdicts("seed_000.yaml")
    # 000 Table 3: (0.913/0.093)² ∈ [95.24, 97.53] ∋ 96.927; (4.103/1.012)² ∈ [16.418, 16.458] ∋ 16.428
    assert (
        v0[("表3 工具变量估计结果（第一阶段）", "地区劳动合同平均值", "f_equals_t2")]
        == "consistent"
    )
    assert (
        v0[("表3 工具变量估计结果（第一阶段）", "地区入职培训平均值", "f_equals_t2")]
        == "consistent"
    )
    # 000 Table 4: 0.162/0.061 ∈ [2.626, 2.686] ∋ 2.680
    assert v0[("表4 PSM估计结果", "劳动合同", "t_ratio")] == "consistent"
    v4 = _verdicts("seed_004.yaml")
    # 004 Table 1 and Table 5 收入 (55.0 within [48.375, 60.625])
    assert v4[("表1 灵活就业群体年龄分布", "在线服务人员", "banded_mean")] == "consistent"
    assert v4[("表5 二季度末系列景气指数", "收入", "diffusion_index")] == "consistent"


def test_report_shapes() -> None:
    rep = audit_file(EXAMPLES / "seed_003.yaml")
    frame = rep.to_frame("en")
    assert list(frame.columns) == COLUMNS
    assert rep.summary["inconsistent"] == (frame["verdict"] == "inconsistent").sum() > 0
    md = rep.to_markdown("zh")
    assert (
        md.startswith("## 已发表表格的一致性核查")
        and "| 表6 是否受到融资约束的因素 | 理财情况 | ci_sign |" in md
    )
    assert "## Consistency audit" in rep.to_markdown("en")
    assert rep.exit_code == 1


@pytest.mark.parametrize(
    ("text", "phrase"),
    [
        ("- {kind: regresion, rows: []}", "kind must be one of"),
        ("- {kind: regression, rows: [{term: a, coef: 1, sd: 2}]}", "unknown key(s) ['sd']"),
        ("- {kind: regression, rows: [{term: a, coef: abc, se: 1, t: 2}]}", "is not a number"),
        ("- {kind: descriptive, n: 10.5, rows: []}", "must be a whole number"),
        (
            "- {kind: banded_mean, midpoints: [1, 2], rows: [{group: g, percents: [100]}]}",
            "1 percents for 2 midpoints",
        ),
        (
            "- {kind: diffusion_index, rows: [{group: g, shares: {up: 10, much_up: 5}}]}",
            "shares overlap",
        ),
        ("kind: regression", "expected a list of tables"),
        ("- [unclosed", "not valid YAML"),
    ],
)
def test_malformed_input_is_refused(text: str, phrase: str) -> None:
    with pytest.raises(AuditFormatError) as info:
        audit_yaml(text)
    assert phrase in str(info.value)


def test_docs_yaml_blocks_run() -> None:
    # every ```yaml block of docs/audit.md is a valid transcription; the only inconsistent
    # check in them is the seed 001 willingness mean (0.51 from 49/51 counts, printed 0.59)
    import re

    text = (EXAMPLES.parents[1] / "docs" / "audit.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```yaml\n(.*?)```", text, re.S)
    reps = [audit_yaml(b) for b in blocks]
    assert len(blocks) == 7
    flagged = [(c.check, c.row) for r in reps for c in r.checks if c.verdict == "inconsistent"]
    assert flagged == [("frequency_mean", "您是否愿意参加职业伤害保险")]
