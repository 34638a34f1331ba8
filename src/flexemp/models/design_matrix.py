"""Formula → outcome, design matrix, weights and clusters, with every dropped row accounted for.

Formulas use formulaic's syntax (``y ~ x1 + C(region) + x1:own_home``).  Rows with
a missing value in any variable the model uses (or in the weight) are dropped;
each dropped row is counted under the first variable, in formula order, that is
missing in it, and a :class:`~flexemp.core.errors.DroppedRowsWarning` says so.
A missing cluster value is an error, not a reason to drop.
"""

from __future__ import annotations

import difflib
import functools
import re
import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from flexemp.core.errors import DroppedRowsWarning, EstimationError, UnknownVariableError


@dataclass(frozen=True)
class Design:
    """Arrays for the numerics.

    ``y`` (n,) is the outcome (0/1 for binary models, codes 0..J-1 for ordered
    and multinomial models with ``y_levels`` their original values), ``X``
    (n, k) the design with column names ``terms``, ``w`` (n,) the weights or
    ``None``, ``groups`` (n,) integer cluster codes or ``None``; ``dropped``
    maps a reason to its count; ``index`` is the data index of the rows used.
    """

    y: np.ndarray
    X: np.ndarray
    terms: tuple[str, ...]
    w: np.ndarray | None
    groups: np.ndarray | None
    n_groups: int | None
    y_name: str
    y_levels: tuple[Any, ...]
    n_input: int
    dropped: dict[str, int]
    index: pd.Index
    rhs_spec: Any = field(repr=False, compare=False)


_SIMPLE = re.compile(r"^\s*([A-Za-z_]\w*)\s*~\s*([A-Za-z_]\w*(?:\s*\+\s*[A-Za-z_]\w*)*)\s*(?:\+\s*0|-\s*1)?\s*$")


@dataclass(frozen=True)
class SimpleSpec:
    """The regressor spec of a formula that is a plain sum of numeric columns.

    Such formulas (``y ~ x1 + x2``) skip formulaic: the design is built straight
    from the columns, which is faster and needs no intermediate copies.  It
    offers the three members the rest of the code uses of formulaic's spec.
    """

    variables: tuple[str, ...]
    intercept: bool

    @property
    def column_names(self) -> tuple[str, ...]:
        """Design column names, ``Intercept`` first when present."""
        return (("Intercept",) if self.intercept else ()) + self.variables

    @property
    def required_variables(self) -> set[str]:
        """Data columns the design needs."""
        return set(self.variables)

    def get_model_matrix(self, data: pd.DataFrame, na_action: str = "raise") -> np.ndarray:
        """The design for new data (rows with missing values give NaN rows)."""
        return _stack(data, self.variables, self.intercept, np.ones(len(data), dtype=bool))


def _stack(data: pd.DataFrame, variables: tuple[str, ...], intercept: bool, keep: np.ndarray) -> np.ndarray:
    n = int(keep.sum())
    X = np.empty((n, len(variables) + intercept))
    if intercept:
        X[:, 0] = 1.0
    for j, v in enumerate(variables):  # loop over columns, not rows
        X[:, j + intercept] = data[v].to_numpy(dtype=float, na_value=np.nan)[keep]
    return X


def _plain_numeric(t: Any) -> bool:
    """``is_numeric_dtype(t) and not is_bool_dtype(t)``, answered from the kind for NumPy dtypes."""
    if isinstance(t, np.dtype):
        return t.kind in "iufc"
    return bool(pd.api.types.is_numeric_dtype(t) and not pd.api.types.is_bool_dtype(t))


def _simple_formula(
    formula: str, data: pd.DataFrame
) -> tuple[str, tuple[str, ...], bool, list[int], int, bool] | None:
    """``(outcome, regressors, has_constant, positions of the regressors, position of the outcome, all numeric)``
    for a plain sum of numeric columns; the last says whether every column of ``data`` is plain numeric."""
    m = _SIMPLE.match(formula)
    if m is None:
        return None
    rhs = tuple(v.strip() for v in m.group(2).split("+"))
    cols = (m.group(1), *rhs)
    if len(set(cols)) != len(cols) or not data.columns.is_unique:
        return None
    # plain lists of names and dtypes: iterating the (Arrow-backed) column Index, or ``data.dtypes[list]``
    # (a re-indexed Series, ≈0.9 ms on a 19-column frame), costs more than the rest of the check
    position = {c: i for i, c in enumerate(data.columns.tolist())}
    if any(c not in position for c in cols):
        return None
    dtypes = data.dtypes.tolist()
    if not all(_plain_numeric(dtypes[position[c]]) for c in cols):
        return None
    no_const = formula.rstrip().endswith(("+ 0", "- 1", "+0", "-1"))
    all_numeric = all(_plain_numeric(t) for t in dtypes)
    return m.group(1), rhs, not no_const, [position[v] for v in rhs], position[m.group(1)], all_numeric


#: Frames of numeric columns up to this many cells are converted whole (then the model's columns picked):
#: the temporary is at most 8 MB, and pandas' per-frame overhead of selecting columns is avoided.
_WHOLE_FRAME_CELLS = 1 << 20


@functools.lru_cache(maxsize=256)
def _parse_formula(formula: str) -> tuple[Any, tuple[str, ...]]:
    """formulaic's parse of ``formula`` and its required variables, once per formula text.

    Parsing costs ≈ 0.35 ms and reading the variables ≈ 0.05 ms (formulaic 1.2); the parsed
    ``Formula`` is not changed by building model matrices from it, so it is shared.  A formula
    that fails to parse raises every time (exceptions are not cached).
    """
    from formulaic import Formula

    parsed = Formula(formula)
    return parsed, tuple(dict.fromkeys(parsed.required_variables))


def _nearest(name: str, names: list[str]) -> str:
    near = difflib.get_close_matches(name, names, n=1)
    return f" Did you mean {near[0]!r}?" if near else ""


def _check_columns(data: pd.DataFrame, names: list[str], what: str) -> None:
    for n in names:
        if n not in data.columns:
            cols = [str(c) for c in data.columns]  # only for the suggestion
            raise UnknownVariableError(f"{what} {n!r} is not a column of the data.{_nearest(n, cols)}")


def build_design(
    formula: str,
    data: pd.DataFrame,
    *,
    outcome: str,
    weights: str | None = None,
    weight_kind: str = "freq",
    cluster: str | None = None,
    intercept: bool = True,
) -> Design:
    """Build the arrays of a model from a formula and a DataFrame.

    Parameters
    ----------
    formula : str
        ``"y ~ x1 + x2"`` (formulaic syntax).
    data : pandas.DataFrame
        The data; never modified.
    outcome : {"continuous", "binary", "categorical"}
        How to treat the left-hand side: as numbers, as 0/1, or as ordered codes.
    weights, cluster : str, optional
        Column names.
    weight_kind : {"freq", "prob"}
        Frequency weights must be whole numbers.
    intercept : bool
        Keep the intercept column (ordered models drop it: their cutpoints
        absorb it).

    Returns
    -------
    Design

    Raises
    ------
    UnknownVariableError, EstimationError
    """
    if "~" not in formula:
        raise EstimationError(f"formula {formula!r} has no '~'; write it as 'y ~ x1 + x2'")
    simple = _simple_formula(formula, data)
    parsed: Any = None
    if simple is not None:  # a plain sum of numeric columns: no formula parsing needed
        order = list(dict.fromkeys([simple[0], *simple[1]]))
    else:
        try:
            parsed, required_t = _parse_formula(formula)
            required = list(required_t)
        except Exception as exc:  # formulaic raises many types for a bad formula
            raise EstimationError(f"cannot parse formula {formula!r}: {exc}") from exc
        order = list(_ordered_variables(formula, required))
    _check_columns(data, order, "variable")
    if weights is not None:
        _check_columns(data, [weights], "weight column")
    if cluster is not None:
        _check_columns(data, [cluster], "cluster column")

    n_input = len(data)
    keep = np.ones(n_input, dtype=bool)
    dropped: dict[str, int] = {}
    checked = order + ([weights] if weights else [])
    Xfull: np.ndarray | None = None
    yfull: np.ndarray | None = None
    if simple is not None:  # the design is filled in one n×k array
        has_const0 = simple[2] and intercept
        Xfull = np.empty((n_input, len(simple[1]) + has_const0))
        if has_const0:
            Xfull[:, 0] = 1.0
        # All columns in one conversion: pandas copies each column contiguously and NumPy then transposes
        # into the row-major design cache-efficiently; filling the design a column at a time writes one
        # value per cache line and was 3-9x slower from 20,000 rows on (the values are the same).  The
        # columns are taken by position (names unique, checked above): a list of names would first be
        # turned into a string Index, which costs more than the copy for small data.
        if simple[5] and n_input * data.shape[1] <= _WHOLE_FRAME_CELLS:
            # a small frame of numeric columns only: one conversion of the whole frame (pandas hands over
            # its consolidated blocks) and NumPy picks the columns; ≈4× faster than ``take`` at 2,000 rows
            whole = data.to_numpy(dtype=float, na_value=np.nan)
            pos = simple[3]
            consecutive = pos == list(range(pos[0], pos[0] + len(pos)))  # then a slice, not a gather
            Xfull[:, has_const0:] = whole[:, pos[0] : pos[0] + len(pos)] if consecutive else whole[:, pos]
            yfull = np.ascontiguousarray(whole[:, simple[4]])
            del whole
        else:
            block = data.take(simple[3], axis=1)
            Xfull[:, has_const0:] = block.to_numpy(dtype=float, na_value=np.nan)
            del block
            yfull = data[simple[0]].to_numpy(dtype=float, na_value=np.nan)
        wmiss = None if weights is None else data[weights].isna().to_numpy()
        # screen: a sum is NaN if any term is (it may also be NaN from inf − inf; then the exact check decides)
        with np.errstate(invalid="ignore", over="ignore"):
            screen = bool(np.isnan(np.sum(Xfull)) or np.isnan(np.sum(yfull)))
        if screen or (wmiss is not None and wmiss.any()):
            miss = np.column_stack([np.isnan(yfull), np.isnan(Xfull[:, has_const0:])])
            if wmiss is not None:
                miss = np.column_stack([miss, wmiss])
        else:
            miss = None  # no missing value: no (n, k) mask
    else:
        miss = np.column_stack([data[name].isna().to_numpy() for name in checked])  # loop over columns
    any_miss = None if miss is None else miss.any(axis=1)
    if miss is not None and any_miss is not None and any_miss.any():  # each dropped row is counted under its first missing variable
        first = np.bincount(miss[any_miss].argmax(axis=1), minlength=len(checked))
        dropped = {f"missing {checked[j]}": int(c) for j, c in enumerate(first) if c}
        keep &= ~any_miss
    if weights is not None:
        wv = pd.to_numeric(data[weights], errors="coerce").to_numpy(dtype=float)
        bad = keep & ~(wv >= 0)
        if bad.any():
            rows = ", ".join(str(i) for i in data.index[bad][:5])
            raise EstimationError(
                f"weight column {weights!r} has {int(bad.sum())} negative or non-numeric value(s) (rows {rows}…)"
            )
        zero = keep & (wv == 0)
        if zero.any():
            dropped[f"zero {weights}"] = int(zero.sum())
            keep &= ~zero
        if weight_kind == "freq" and not np.all(np.floor(wv[keep]) == wv[keep]):
            raise EstimationError(
                f"frequency weights must be whole numbers; {weights!r} has fractions. "
                "Use weight_kind='prob' (CLI: --weight-kind prob) for sampling weights"
            )
    if cluster is not None:
        ccol = data[cluster]
        # NumPy integer and boolean columns cannot hold a missing value: no mask needed
        can_miss = not (isinstance(ccol.dtype, np.dtype) and ccol.dtype.kind in "iub")
        cmiss = keep & ccol.isna().to_numpy() if can_miss else np.zeros(1, dtype=bool)
        if cmiss.any():
            rows = ", ".join(str(i) for i in data.index[cmiss][:5])
            raise EstimationError(
                f"cluster column {cluster!r} is missing in {int(cmiss.sum())} row(s) used by the model "
                f"(rows {rows}…); fill or drop them first"
            )
    if dropped:
        total = sum(dropped.values())
        detail = ", ".join(f"{k}: {v}" for k, v in dropped.items())
        warnings.warn(f"{total} of {n_input} rows dropped ({detail})", DroppedRowsWarning, stacklevel=3)
    if simple is not None:
        y_name, rhs_vars, has_const = simple[0], simple[1], simple[2]
        has_const = has_const and intercept  # ordered models: no intercept column at all
        rhs_spec: Any = SimpleSpec(rhs_vars, has_const)
        if Xfull is None or yfull is None:
            raise EstimationError("internal error: the fast design path lost its arrays")
        all_rows = bool(keep.all())
        X = Xfull if all_rows else Xfull[keep]
        yraw = yfull if all_rows else yfull[keep]
        terms = rhs_spec.column_names
        if X.shape[0] == 0:
            raise EstimationError("no rows left after dropping missing values")
    else:
        from formulaic import model_matrix

        used = data.loc[keep, order]
        if len(used) == 0:
            raise EstimationError("no rows left after dropping missing values")
        try:
            mm = model_matrix(parsed, used, na_action="raise")
        except Exception as exc:
            raise EstimationError(f"cannot build the design of {formula!r}: {exc}") from exc
        if mm.lhs.shape[1] != 1:
            raise EstimationError(f"formula {formula!r} must have exactly one outcome on the left of '~'")
        y_name = str(mm.lhs.columns[0])
        yraw = np.asarray(mm.lhs.iloc[:, 0], dtype=float)
        X = np.asarray(mm.rhs, dtype=float)
        terms = tuple(str(c) for c in mm.rhs.columns)
        rhs_spec = mm.rhs.model_spec
    if not intercept and "Intercept" in terms:
        j = terms.index("Intercept")
        X = np.delete(X, j, axis=1)
        terms = terms[:j] + terms[j + 1 :]
    y, levels = _outcome(yraw, y_name, outcome)
    every_row = bool(keep.all())  # then whole columns, not ``.loc`` with a mask (a copy each)
    w = None if weights is None else pd.to_numeric(data[weights] if every_row else data.loc[keep, weights]).to_numpy(
        dtype=float)
    groups = n_groups = None
    if cluster is not None:
        groups, n_groups = _cluster_codes(ccol if every_row else data.loc[keep, cluster])
        if n_groups < 2:
            raise EstimationError(
                f"cluster column {cluster!r} has {n_groups} cluster(s) in the estimation sample; "
                "cluster-robust standard errors need at least 2 (many more to be reliable)"
            )
    index = data.index if every_row else data.index[keep]
    y = _read_only(y, copy_view=True)
    w = None if w is None else _read_only(w, copy_view=True)
    X = _read_only(X, copy_view=False)  # built here (or by formulaic from a copy of the rows): never the caller's
    return Design(y, X, tuple(terms), w, groups, n_groups, y_name, levels, n_input, dropped, index, rhs_spec)


def _read_only(a: np.ndarray, *, copy_view: bool) -> np.ndarray:
    """``a`` made read-only; with ``copy_view``, copied first if it is a view of other memory.

    A design's arrays never change after they are built: results keep them (to predict,
    to recompute the covariance) and hash them when the provenance is first read.  ``y``
    and ``w`` may be columns pandas handed over without a copy, which could still be
    changed through the caller's frame, so views are copied (a column each).
    """
    if copy_view and a.base is not None:
        a = a.copy()
    a.flags.writeable = False
    return a


def _cluster_codes(col: pd.Series) -> tuple[np.ndarray, int]:
    """Codes 0..G−1 of the cluster values in sorted order, and G.

    Integer columns whose values span a range at most about twice the
    number of rows get their codes from a table of the values present (the rank
    of each value among them: the codes of ``pd.factorize(sort=True)``, with
    no sort); other integer columns go through ``np.unique`` (the same codes,
    in half pandas' time); other types through pandas.
    """
    if pd.api.types.is_integer_dtype(col.dtype) and isinstance(col.dtype, np.dtype):
        v = col.to_numpy()
        if v.size:
            lo, hi = int(v.min()), int(v.max())
            if hi - lo <= 2 * v.size + 1024 and lo > -(2**62) and hi < 2**62:  # dense: a presence table, no sort
                present = np.zeros(hi - lo + 1, dtype=bool)
                shifted = v.astype(np.int64) - lo
                present[shifted] = True
                rank = np.cumsum(present, dtype=np.int64) - 1  # rank of each present value among them
                return rank[shifted], int(rank[-1]) + 1
        uniques, codes = np.unique(v, return_inverse=True)
        return codes.astype(np.int64, copy=False).ravel(), len(uniques)
    codes, uniq = pd.factorize(col, sort=True)
    return codes.astype(np.int64), len(uniq)


def _ordered_variables(formula: str, required: list[str]) -> list[str]:
    """Variables in the order they appear in the formula text (for dropped-row reasons)."""
    pos = {v: (formula.find(v) if formula.find(v) >= 0 else len(formula)) for v in required}
    return sorted(required, key=lambda v: pos[v])


def _outcome(yraw: np.ndarray, name: str, outcome: str) -> tuple[np.ndarray, tuple[Any, ...]]:
    if outcome == "continuous":
        return yraw, ()
    if outcome == "binary":  # a 0/1 test and min/max: no sort unless an error message needs the values
        lo, hi = (float(yraw.min()), float(yraw.max())) if yraw.size else (0.0, 0.0)
        if not (lo in (0.0, 1.0) and hi in (0.0, 1.0) and ((yraw == lo) | (yraw == hi)).all()):
            shown = ", ".join(f"{v:g}" for v in np.unique(yraw)[:6])
            raise EstimationError(
                f"a binary model needs {name} coded 0/1; it takes the values {shown}. Recode it first"
            )
        if lo == hi:
            raise EstimationError(f"{name} takes only the value {lo:g}; a binary model needs both 0 and 1")
        return yraw, (0.0, 1.0)
    levels = np.unique(yraw)
    codes = np.searchsorted(levels, yraw)
    return codes.astype(np.int64), tuple(float(v) for v in levels)
