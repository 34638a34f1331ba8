"""A small codebook and raw frame with one known problem per rule."""

from __future__ import annotations

import pandas as pd
import pytest

from flexemp.codebook import load_codebook

CODEBOOK = """\
dataset: riders_test
variables:
  - {name: rid, type: id, label_zh: 编号}
  - {name: sat, type: ordinal, label_zh: 满意度, codes: {1: 不满意, 2: 一般, 3: 满意}, missing: [-2, 99]}
  - {name: phone, type: text, label_zh: 手机号, pii: direct}
  - {name: age, type: continuous, label_zh: 年龄, range: [16, 99]}
  - {name: kids, type: count, label_zh: 子女数}
  - {name: reasons, type: multiselect, label_zh: 原因, codes: {1: 收入高, 2: 时间自由, 3: 门槛低}, source: 原因}
  - {name: insured, type: binary, label_zh: 是否参保, codes: {0: 否, 1: 是}, required: true}
  - {name: w, type: weight, label_zh: 权重}
"""


@pytest.fixture
def codebook():
    return load_codebook(CODEBOOK)


@pytest.fixture
def raw_frame():
    # row 1 good; 2 out_of_range age; 3 invalid code + duplicate id; 4 wrong type count;
    # 5 unknown option + missing required; 6 good with label answers and missing code; 7 bad weight
    return pd.DataFrame(
        {
            "rid": ["R1", "R2", "R2", "R4", "R5", "R6", "R7"],
            "sat": ["1", "2", "7", "3", "2", "满意", "99"],
            "phone": ["13812345678", "13912345678", "13712345678", "15012345678", "18612345678", "17712345678", "19912345678"],
            "age": ["30", "15", "40", "41", "22", "35", "50"],
            "kids": ["0", "1", "2", "1.5", "0", "3", "0"],
            "原因": ["收入高┋门槛低", "时间自由", "", "1┋2", "天气好", "收入高", "门槛低"],
            "insured": ["1", "0", "1", "0", "", "是", "0"],
            "w": ["1.0", "2", "1", "1", "1", "0.5", "0"],
        }
    )
