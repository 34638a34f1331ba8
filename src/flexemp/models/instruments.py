"""Constructed instruments: leave-one-out group means.

The leave-one-out mean of a variable over the *other* respondents of one's region (or
industry, or employer) is the usual "peer" or "regional exposure" instrument (e.g. the seed 000
Table 3 use case: the regional share of platform workers with social insurance, leaving out the
respondent, instruments her own coverage).  Leaving out the respondent removes the mechanical
correlation between her own value and the instrument (Angrist 2014, "The perils of peer effects",
*Labour Economics* 30, §3; Acemoglu & Angrist 2000).
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from flexemp.core.errors import DroppedRowsWarning, EstimationError, UnknownVariableError

__all__ = ["loo_mean"]


def loo_mean(
    data: pd.DataFrame, var: str, group: str | list[str], exclude: str | None = None
) -> pd.Series:
    """Leave-one-out group mean of ``var``: the mean over the other members of the respondent's group.

    Parameters
    ----------
    data : pandas.DataFrame
        The data; never modified.
    var : str
        Numeric column to average (missing values are skipped: they count neither in the sum
        nor in the number of others).
    group : str or list of str
        Column(s) defining the groups (e.g. ``"province"`` or ``["province", "wave"]``).
    exclude : str, optional
        Also leave out everyone of the same group who shares the respondent's value of this
        column (e.g. ``"employer"``: the mean over other employers' workers in the region).

    Returns
    -------
    pandas.Series
        Aligned with ``data.index``, named ``"loo_mean_<var>"``.  NaN where the group has no one
        else with a value of ``var`` (or the group is missing).

    Raises
    ------
    UnknownVariableError
        A column is not in ``data``.
    EstimationError
        ``var`` is not numeric.

    Warns
    -----
    DroppedRowsWarning
        How many rows get NaN because no one else is left in their group (never a silent zero).

    Notes
    -----
    m̄₋ᵢ = (S_g − S_{g,e(i)}) / (n_g − n_{g,e(i)}), where S and n are the sum and count of
    non-missing ``var`` in the group g of i and, without ``exclude``, in i alone (with it, in
    i's (group, exclude) cell).  Vectorised with ``groupby(...).transform``.  Stata: ``egen
    s = total(x), by(g)`` and ``egen n = count(x), by(g)`` then ``(s − x)/(n − 1)``.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"region": [1, 1, 1, 2], "x": [1.0, 2.0, 6.0, 5.0]})
    >>> import warnings; warnings.simplefilter("ignore")
    >>> loo_mean(df, "x", "region").tolist()
    [4.0, 3.5, 1.5, nan]
    """
    groups = [group] if isinstance(group, str) else list(group)
    cols = [var, *groups, *([exclude] if exclude else [])]
    for c in cols:
        if c not in data.columns:
            raise UnknownVariableError(
                f"column {c!r} is not in the data; loo_mean needs {', '.join(map(repr, cols))}"
            )
    if not pd.api.types.is_numeric_dtype(data[var]) or pd.api.types.is_bool_dtype(data[var]):
        raise EstimationError(
            f"loo_mean averages a numeric column; {var!r} has dtype {data[var].dtype}. Recode it first"
        )
    x = data[var].astype(float)
    frame = pd.DataFrame({"x": x.fillna(0.0), "n": x.notna().astype(float)}, index=data.index)
    key = [data[g] for g in groups]
    total = frame.groupby(key, dropna=True, sort=False)[["x", "n"]].transform("sum")
    if exclude is None:
        own = frame
    else:
        own = frame.groupby([*key, data[exclude]], dropna=False, sort=False)[["x", "n"]].transform(
            "sum"
        )
    missing_group = data[groups].isna().any(axis=1).to_numpy()
    num = total["x"].to_numpy(dtype=float) - own["x"].to_numpy(dtype=float)
    den = total["n"].to_numpy(dtype=float) - own["n"].to_numpy(dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        out = np.where((den > 0) & ~missing_group, num / np.where(den > 0, den, 1.0), np.nan)
    alone = int(((den <= 0) & ~missing_group).sum())
    nmiss = int(missing_group.sum())
    if alone or nmiss:
        who = (
            "in the same group" if exclude is None else f"in the same group with another {exclude}"
        )
        warnings.warn(
            f"loo_mean({var!r}): {alone} row(s) have no other respondent with a value of {var!r} {who} and "
            f"{nmiss} row(s) have a missing {', '.join(groups)}; their instrument is NaN (a model drops them). "
            "Use a coarser group to keep them",
            DroppedRowsWarning,
            stacklevel=2,
        )
    return pd.Series(out, index=data.index, name=f"loo_mean_{var}")
