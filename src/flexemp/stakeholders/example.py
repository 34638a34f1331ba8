"""Synthetic Mitchell scores for seed 002's nine stakeholders (``examples/stakeholder_scores.csv``).

Seed 002 publishes the classification (platform, workers and government
definitive; agencies, unions and associations expectant; media, experts and
consumers latent) but not the experts' scores. :func:`example_scores` draws
eight experts' integer scores around target means chosen to give that
classification, with a fixed seed, so the example file can be regenerated::

    python -c "from flexemp.stakeholders import example_scores; \\
        example_scores().to_csv('examples/stakeholder_scores.csv', index=False)"
"""

from __future__ import annotations

import numpy as np
import pandas as pd

#: Target mean scores (legitimacy, power, urgency) by stakeholder, seed 002's Chinese names
#: in the seed's order; each target is at least 0.5 away from the thresholds 6 and 8.
TARGETS: dict[str, tuple[float, float, float]] = {
    "平台企业": (9.0, 9.0, 8.8),
    "从业者": (9.5, 8.7, 9.5),
    "政府机构": (9.4, 9.5, 8.7),
    "代理商": (7.0, 7.2, 6.8),
    "工会": (7.5, 6.7, 8.8),
    "行业协会": (7.2, 7.0, 5.0),
    "媒体": (6.8, 5.0, 4.5),
    "相关专家": (7.0, 4.8, 4.0),
    "消费者": (4.5, 3.5, 5.0),
}
EXAMPLE_SEED = 2022


def example_scores(
    seed: int = EXAMPLE_SEED, n_experts: int = 8, noise_sd: float = 0.7
) -> pd.DataFrame:
    """Eight experts' 0-10 scores of seed 002's nine stakeholders, in wide form.

    Parameters
    ----------
    seed : int
        Seed of ``numpy.random.default_rng``.
    n_experts : int
        Number of experts (seed 002: eight).
    noise_sd : float
        SD of the normal noise added to each target before rounding.

    Returns
    -------
    pandas.DataFrame
        Columns ``expert`` (E1 …), ``stakeholder``, ``legitimacy``, ``power``,
        ``urgency``; integer scores ``clip(round(target + noise), 0, 10)``;
        one row per expert × stakeholder, experts outermost.

    Examples
    --------
    >>> frame = example_scores()
    >>> frame.shape, frame["legitimacy"].between(0, 10).all()
    ((72, 5), np.True_)
    """
    rng = np.random.default_rng(seed)
    names = list(TARGETS)
    target = np.array([TARGETS[s] for s in names], dtype=float)  # (9, 3)
    draws = target[None, :, :] + rng.normal(0.0, noise_sd, size=(n_experts, *target.shape))
    scores = np.clip(np.rint(draws), 0, 10).astype(int).reshape(-1, 3)
    return pd.DataFrame(
        {
            "expert": np.repeat([f"E{i + 1}" for i in range(n_experts)], len(names)),
            "stakeholder": np.tile(names, n_experts),
            "legitimacy": scores[:, 0],
            "power": scores[:, 1],
            "urgency": scores[:, 2],
        }
    )
