"""Fake direct identifiers for the synthetic datasets: Chinese full names and mainland mobile numbers.

Vectorised (no per-respondent Python), deterministic given the generator.  They
exist so that the demo and the tests exercise pseudonymisation; they are marked
``pii: direct`` in every synthetic codebook.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

_SURNAMES = np.array(
    list("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡")
)
_SURNAME_P = np.array([
    7.1, 7.0, 6.7, 5.4, 4.5, 3.1, 2.2, 2.0, 2.0, 1.9, 1.5, 1.5, 1.3, 1.3, 1.2, 1.2, 1.2, 1.1, 1.1, 1.0,
    .9, .9, .8, .7, .7, .7, .6, .6, .6, .6, .6, .6, .6, .5, .5, .5, .5, .5, .5, .5,
])  # fmt: skip
_GIVEN_MALE = np.array(
    list("伟强磊军勇杰涛斌超明刚平辉鹏华飞鑫波宇浩凯健俊帆帅旭宁龙林阳建国志文海东亮成晨博")
)
_GIVEN_FEMALE = np.array(
    list("芳娜敏静丽艳娟霞秀玲桂英燕萍红琳雪婷慧颖倩洁佳欣悦月琴兰梅丹晶妍蕾思雨璐莉媛露薇")
)
_PHONE_PREFIXES = np.array(
    [
        *range(130, 140),
        150,
        151,
        152,
        153,
        155,
        156,
        157,
        158,
        159,
        166,
        170,
        173,
        175,
        176,
        177,
        178,
        *range(180, 190),
        191,
        198,
        199,
    ],
    dtype=np.int64,
)


def fake_names(male: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Plausible Chinese full names: a common surname and one or two given-name characters.

    Parameters
    ----------
    male : numpy.ndarray
        1 for men, 0 for women (chooses the given-name characters).
    rng : numpy.random.Generator
        The random source.

    Returns
    -------
    numpy.ndarray
        Unicode strings.
    """
    m = len(male)
    sur = _SURNAMES[rng.choice(len(_SURNAMES), size=m, p=_SURNAME_P / _SURNAME_P.sum())]
    pick = rng.integers(0, len(_GIVEN_MALE), size=(2, m))
    chars = np.where(np.asarray(male) == 1, _GIVEN_MALE[pick], _GIVEN_FEMALE[pick])
    second = np.where(rng.random(m) < 0.7, chars[1], "")
    return np.char.add(np.char.add(sur, chars[0]), second)


def fake_phones(m: int, rng: np.random.Generator) -> np.ndarray:
    """Mainland mobile numbers: 11 digits, a real 13x-19x prefix and eight random digits."""
    number = _PHONE_PREFIXES[rng.integers(0, len(_PHONE_PREFIXES), m)] * 10**8 + rng.integers(
        0, 10**8, m
    )
    return pd.Series(number).astype(str).to_numpy()
