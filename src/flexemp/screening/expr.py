"""A small, safe expression language for screening conditions.

Expressions such as ``"age >= 16 and hukou == '农业户口'"`` are parsed with
Python's :mod:`ast` and compiled into a tree of a few node types; only a
whitelist of syntax is accepted and nothing is ever passed to ``eval`` or
``exec``.

Allowed
-------
- names of columns (checked against the ``kinds`` given to :func:`parse_expression`);
- numeric and string constants, and ``-`` in front of a number;
- arithmetic ``+ - * /`` on numbers (division by zero gives a missing value);
- comparisons ``== != < <= > >=``, chained (``16 <= age < 60``);
- ``x in [1, 2]`` / ``x not in (1, 2)`` with a list, tuple or set of constants;
- ``and`` / ``or`` / ``not`` and parentheses;
- ``isna(x)`` / ``notna(x)``.

Anything else (attribute access, subscripts, other function calls, lambdas,
comprehensions, ``**``, ``%``, ``//``, ``True``/``None`` …) raises
:class:`~flexemp.core.errors.ScreeningError` saying what is not allowed.

Labels
------
When a string constant is compared with (or listed against) a column that has
code labels (``labels`` maps the column to ``{label: code}``), the constant is
replaced by its code: ``hukou == '农业户口'`` becomes ``hukou == 1``.  An unknown
label is an error listing the labels.

Missing values: three-valued logic
----------------------------------
A comparison involving a missing value is *unknown* (neither true nor false).
``not`` keeps unknown unknown; ``and`` is false as soon as one side is false,
``or`` is true as soon as one side is true, and otherwise unknown (Kleene
logic, as in SQL).  ``isna(x)`` / ``notna(x)`` are never unknown.  The result of
:func:`evaluate` is a :class:`Truth` with two boolean arrays, ``true`` and
``unknown``; what a caller does with unknown rows is its decision (a ``keep``
rule excludes them, a ``drop`` rule keeps them).
"""

from __future__ import annotations

import ast
import difflib
import operator
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd

from flexemp.core.errors import ScreeningError

#: What a column holds, as far as expressions care.
ValueKind = Literal["number", "text"]
_Kind = Literal["number", "text", "bool"]

#: Longest expression accepted (guards the parser against pathological input).
MAX_LENGTH = 5000

ALLOWED_SUMMARY = (
    "use column names, numbers, 'text', + - * /, comparisons (== != < <= > >=), "
    "in [..], and / or / not, parentheses, isna(x) and notna(x)"
)

_CMP: dict[type[ast.cmpop], tuple[str, Callable[[Any, Any], Any]]] = {
    ast.Eq: ("==", operator.eq),
    ast.NotEq: ("!=", operator.ne),
    ast.Lt: ("<", operator.lt),
    ast.LtE: ("<=", operator.le),
    ast.Gt: (">", operator.gt),
    ast.GtE: (">=", operator.ge),
}
_CMP_BY_SYMBOL = {sym: fn for sym, fn in _CMP.values()}
_ARITH: dict[type[ast.operator], str] = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/"}
_FUNCTIONS = ("isna", "notna")


# --------------------------------------------------------------------------- results
@dataclass(frozen=True)
class Truth:
    """A three-valued condition per row: ``true`` and ``unknown`` boolean arrays.

    A row is false when it is neither true nor unknown.
    """

    true: np.ndarray
    unknown: np.ndarray

    @property
    def false(self) -> np.ndarray:
        """Rows where the condition is known to be false."""
        return ~(self.true | self.unknown)

    def to_series(self, index: pd.Index | None = None) -> pd.Series:
        """Return a nullable boolean Series (``<NA>`` for unknown)."""
        arr = pd.array(self.true, dtype="boolean")
        arr[self.unknown] = pd.NA
        return pd.Series(arr, index=index)


@dataclass(frozen=True)
class _Value:
    """A column of values with its missing mask (missing text is stored as '')."""

    data: np.ndarray
    missing: np.ndarray


# --------------------------------------------------------------------------- nodes
@dataclass(frozen=True)
class _Col:
    name: str
    kind: ValueKind

    def value(self, data: pd.DataFrame, n: int) -> _Value:
        s = data[self.name]
        if self.kind == "number":
            try:
                arr = pd.to_numeric(s, errors="raise").to_numpy(dtype="float64", na_value=np.nan)
            except (TypeError, ValueError) as exc:
                raise ScreeningError(
                    f"column {self.name!r} should be numeric but holds non-numeric values ({exc}); "
                    "pass validated data (after ingest)"
                ) from exc
            return _Value(arr, np.isnan(arr))
        miss = s.isna().to_numpy(dtype=bool)
        txt = s.astype("string").fillna("").to_numpy(dtype=object)
        return _Value(txt, miss)


@dataclass(frozen=True)
class _Const:
    value: float | str
    kind: ValueKind

    def value_of(self, n: int) -> _Value:
        dtype = "float64" if self.kind == "number" else object
        return _Value(np.full(n, self.value, dtype=dtype), np.zeros(n, dtype=bool))


@dataclass(frozen=True)
class _Arith:
    op: str
    left: _Node
    right: _Node


@dataclass(frozen=True)
class _Neg:
    operand: _Node


@dataclass(frozen=True)
class _Cmp:
    op: str
    left: _Node
    right: _Node


@dataclass(frozen=True)
class _Member:
    operand: _Node
    values: tuple[float | str, ...]
    negate: bool


@dataclass(frozen=True)
class _IsNa:
    operand: _Node
    negate: bool


@dataclass(frozen=True)
class _Logic:
    op: Literal["and", "or"]
    operands: tuple[_Node, ...]


@dataclass(frozen=True)
class _Not:
    operand: _Node


_Node = _Col | _Const | _Arith | _Neg | _Cmp | _Member | _IsNa | _Logic | _Not


@dataclass(frozen=True)
class Expression:
    """A parsed and checked expression.

    ``text`` is the source as written, ``columns`` the columns it reads (in order
    of first use) and ``kind`` what it yields (``"bool"`` for a condition).
    """

    text: str
    columns: tuple[str, ...]
    kind: _Kind
    root: _Node


# --------------------------------------------------------------------------- parsing
def parse_expression(
    text: str,
    kinds: Mapping[str, ValueKind],
    labels: Mapping[str, Mapping[str, float]] | None = None,
    *,
    hints: Mapping[str, str] | None = None,
) -> Expression:
    """Parse ``text`` into a checked :class:`Expression`.

    Parameters
    ----------
    text : str
        The expression, e.g. ``"age >= 16 and hukou == '农业户口'"``.
    kinds : mapping of str to {"number", "text"}
        The columns that may be used and what they hold.
    labels : mapping, optional
        Column → ``{label: code}`` for coded columns; string constants compared
        with such a column are replaced by their code.
    hints : mapping of str to str, optional
        Extra advice for names that are not usable columns (e.g. a multiselect
        variable whose option columns must be used instead).

    Returns
    -------
    Expression

    Raises
    ------
    ScreeningError
        For a syntax error, disallowed syntax, an unknown column (with the
        nearest valid name), mismatched types, or an unknown label.

    Examples
    --------
    >>> e = parse_expression("16 <= age < 60", {"age": "number"})
    >>> e.columns
    ('age',)
    """
    if not isinstance(text, str) or not text.strip():
        raise ScreeningError(f"an expression must be non-empty text, got {text!r}")
    if len(text) > MAX_LENGTH:
        raise ScreeningError(f"expression is {len(text)} characters long; at most {MAX_LENGTH} are allowed")
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except SyntaxError as exc:
        raise ScreeningError(
            f"cannot parse expression {text!r}: {exc.msg} (column {exc.offset}); {ALLOWED_SUMMARY}"
        ) from None
    except (RecursionError, MemoryError, ValueError) as exc:
        raise ScreeningError(f"cannot parse expression {text!r}: {type(exc).__name__}") from None
    builder = _Builder(text.strip(), kinds, labels or {}, hints or {})
    try:
        root, kind = builder.build(tree.body)
    except RecursionError:
        raise ScreeningError(f"expression {text!r} is nested too deeply") from None
    if not builder.columns:
        raise ScreeningError(f"expression {text!r} does not refer to any variable")
    return Expression(text=text, columns=tuple(builder.columns), kind=kind, root=root)


class _Builder:
    """Turns a Python AST into checked nodes, refusing everything not whitelisted."""

    def __init__(
        self,
        text: str,
        kinds: Mapping[str, ValueKind],
        labels: Mapping[str, Mapping[str, float]],
        hints: Mapping[str, str],
    ) -> None:
        self.text = text
        self.kinds = kinds
        self.labels = labels
        self.hints = hints
        self.columns: list[str] = []

    def src(self, node: ast.AST) -> str:
        return ast.get_source_segment(self.text, node) or ast.unparse(node)

    def refuse(self, node: ast.AST, what: str) -> ScreeningError:
        return ScreeningError(f"{what} is not allowed (in {self.src(node)!r}); {ALLOWED_SUMMARY}")

    def build(self, node: ast.AST) -> tuple[_Node, _Kind]:
        if isinstance(node, ast.Name):
            return self.name(node)
        if isinstance(node, ast.Constant):
            return self.constant(node)
        if isinstance(node, ast.UnaryOp):
            return self.unary(node)
        if isinstance(node, ast.BinOp):
            return self.binop(node)
        if isinstance(node, ast.BoolOp):
            ops = tuple(self.condition(v, "'and' / 'or'") for v in node.values)
            return _Logic("and" if isinstance(node.op, ast.And) else "or", ops), "bool"
        if isinstance(node, ast.Compare):
            return self.compare(node)
        if isinstance(node, ast.Call):
            return self.call(node)
        if isinstance(node, ast.Attribute):
            raise self.refuse(node, "attribute access")
        if isinstance(node, ast.Subscript):
            raise self.refuse(node, "subscripting")
        if isinstance(node, ast.Lambda):
            raise self.refuse(node, "lambda")
        if isinstance(node, ast.List | ast.Tuple | ast.Set):
            raise self.refuse(node, "a list outside 'in [...]'")
        raise self.refuse(node, f"{type(node).__name__} syntax")

    def name(self, node: ast.Name) -> tuple[_Node, _Kind]:
        name = node.id
        if name in self.kinds:
            if name not in self.columns:
                self.columns.append(name)
            return _Col(name, self.kinds[name]), self.kinds[name]
        if name in self.hints:
            raise ScreeningError(f"{name!r} cannot be used directly: {self.hints[name]}")
        if name in _FUNCTIONS:
            raise ScreeningError(f"{name} is a function; call it as {name}(column)")
        near = difflib.get_close_matches(name, list(self.kinds), n=1)
        hint = f" Did you mean {near[0]!r}?" if near else " Use a variable name from the codebook."
        raise ScreeningError(f"unknown variable {name!r} in expression {self.text!r}.{hint}")

    def constant(self, node: ast.Constant) -> tuple[_Node, _Kind]:
        v = node.value
        if isinstance(v, bool) or v is None:
            fix = "use isna(x) / notna(x)" if v is None else "compare with 1 or 0"
            raise ScreeningError(f"the constant {v!r} is not allowed (in {self.src(node)!r}); {fix}")
        if isinstance(v, int | float) and not isinstance(v, complex):
            return _Const(float(v), "number"), "number"
        if isinstance(v, str):
            return _Const(v, "text"), "text"
        raise self.refuse(node, f"the constant {v!r}")

    def unary(self, node: ast.UnaryOp) -> tuple[_Node, _Kind]:
        if isinstance(node.op, ast.Not):
            return _Not(self.condition(node.operand, "'not'")), "bool"
        if isinstance(node.op, ast.USub | ast.UAdd):
            inner, kind = self.build(node.operand)
            if kind != "number":
                raise ScreeningError(f"unary {'-' if isinstance(node.op, ast.USub) else '+'} needs a number (in {self.src(node)!r})")
            if isinstance(node.op, ast.UAdd):
                return inner, "number"
            if isinstance(inner, _Const):
                return _Const(-float(inner.value), "number"), "number"
            return _Neg(inner), "number"
        raise self.refuse(node, "the operator '~'")

    def binop(self, node: ast.BinOp) -> tuple[_Node, _Kind]:
        sym = _ARITH.get(type(node.op))
        if sym is None:
            raise self.refuse(node, f"the operator {type(node.op).__name__}")
        left, lk = self.build(node.left)
        right, rk = self.build(node.right)
        if lk != "number" or rk != "number":
            raise ScreeningError(f"arithmetic needs numbers on both sides (in {self.src(node)!r})")
        return _Arith(sym, left, right), "number"

    def condition(self, node: ast.AST, where: str) -> _Node:
        built, kind = self.build(node)
        if kind != "bool":
            raise ScreeningError(
                f"{where} needs conditions, but {self.src(node)!r} is a {kind}; "
                "write a comparison such as x == 1 or notna(x)"
            )
        return built

    def coerce(self, col: _Node, const: _Node, whole: ast.AST) -> _Node:
        """Map a text constant compared with a labelled column to its code."""
        if not (isinstance(col, _Col) and isinstance(const, _Const)) or const.kind != "text":
            return const
        if col.kind == "text":
            return const
        codes = self.labels.get(col.name)
        if not codes:
            raise ScreeningError(
                f"{col.name!r} is numeric and has no code labels; compare it with a number, "
                f"not the text {const.value!r} (in {self.src(whole)!r})"
            )
        label = str(const.value).strip()
        if label not in codes:
            listed = ", ".join(f"{lab} ({_fmt(code)})" for lab, code in codes.items())
            near = difflib.get_close_matches(label, list(codes), n=1)
            hint = f" Did you mean {near[0]!r}?" if near else ""
            raise ScreeningError(f"{col.name!r} has no code labelled {label!r}; its labels are: {listed}.{hint}")
        return _Const(float(codes[label]), "number")

    def compare(self, node: ast.Compare) -> tuple[_Node, _Kind]:
        operands = [node.left, *node.comparators]
        built: dict[int, tuple[_Node, _Kind]] = {}

        def get(i: int) -> tuple[_Node, _Kind]:
            if i not in built:
                built[i] = self.build(operands[i])
            return built[i]

        parts: list[_Node] = []
        for i, op in enumerate(node.ops):
            left, lk = get(i)
            if isinstance(op, ast.In | ast.NotIn):
                parts.append(self.member(left, lk, operands[i + 1], isinstance(op, ast.NotIn), node))
                continue
            right, rk = get(i + 1)
            if type(op) not in _CMP:
                raise self.refuse(node, f"the comparison {type(op).__name__} ('is' / 'is not')")
            right = self.coerce(left, right, node)
            left = self.coerce(right, left, node)
            lk = _kind_of(left, lk)
            rk = _kind_of(right, rk)
            if "bool" in (lk, rk):
                raise ScreeningError(f"cannot compare conditions (in {self.src(node)!r}); combine them with and / or")
            if lk != rk:
                raise ScreeningError(
                    f"cannot compare {lk} with {rk} (in {self.src(node)!r}); "
                    "numbers are compared with numbers, text with 'text' or a code label"
                )
            parts.append(_Cmp(_CMP[type(op)][0], left, right))
        return (parts[0] if len(parts) == 1 else _Logic("and", tuple(parts))), "bool"

    def member(self, left: _Node, lk: _Kind, right: ast.AST, negate: bool, whole: ast.AST) -> _Node:
        if not isinstance(right, ast.List | ast.Tuple | ast.Set):
            raise ScreeningError(
                f"'in' needs a list of constants such as [1, 2] on its right (in {self.src(whole)!r})"
            )
        if lk == "bool":
            raise ScreeningError(f"'in' needs a value on its left, not a condition (in {self.src(whole)!r})")
        values: list[float | str] = []
        for elt in right.elts:
            const, _ = self.build(elt)
            if not isinstance(const, _Const):
                raise ScreeningError(f"the list after 'in' may hold only constants (in {self.src(whole)!r})")
            const = self.coerce(left, const, whole)
            if not isinstance(const, _Const) or const.kind != lk:
                raise ScreeningError(f"the list after 'in' mixes {lk} and other values (in {self.src(whole)!r})")
            values.append(const.value)
        if not values:
            raise ScreeningError(f"the list after 'in' is empty (in {self.src(whole)!r})")
        return _Member(left, tuple(values), negate)

    def call(self, node: ast.Call) -> tuple[_Node, _Kind]:
        func = node.func
        if not isinstance(func, ast.Name) or func.id not in _FUNCTIONS:
            raise self.refuse(node, f"calling {self.src(func)!r} (only isna() and notna() may be called)")
        if node.keywords or len(node.args) != 1:
            raise ScreeningError(f"{func.id}() takes exactly one argument (in {self.src(node)!r})")
        arg, kind = self.build(node.args[0])
        if kind == "bool":
            raise ScreeningError(f"{func.id}() needs a value, not a condition (in {self.src(node)!r})")
        return _IsNa(arg, negate=func.id == "notna"), "bool"


def _kind_of(node: _Node, kind: _Kind) -> _Kind:
    return node.kind if isinstance(node, _Const) else kind


def _fmt(code: float) -> str:
    return str(int(code)) if float(code).is_integer() else str(code)


# --------------------------------------------------------------------------- evaluation
def evaluate(expr: Expression, data: pd.DataFrame) -> Truth:
    """Evaluate a condition on every row of ``data``, vectorised.

    Parameters
    ----------
    expr : Expression
        A parsed expression of kind ``"bool"``.
    data : DataFrame
        Must contain every column in ``expr.columns``; it is not modified.

    Returns
    -------
    Truth
        ``true`` and ``unknown`` arrays of length ``len(data)`` (see the module
        docstring for the three-valued logic).

    Raises
    ------
    ScreeningError
        When the expression is not a condition or a column is absent.

    Examples
    --------
    >>> import pandas as pd
    >>> e = parse_expression("age >= 16", {"age": "number"})
    >>> evaluate(e, pd.DataFrame({"age": [15.0, 30.0, float("nan")]})).true.tolist()
    [False, True, False]
    """
    if expr.kind != "bool":
        raise ScreeningError(f"expression {expr.text!r} is not a condition (it yields a {expr.kind})")
    absent = [c for c in expr.columns if c not in data.columns]
    if absent:
        raise ScreeningError(f"expression {expr.text!r} needs column(s) {absent} that are not in the data")
    return _truth(expr.root, data, len(data))


def _value(node: _Node, data: pd.DataFrame, n: int) -> _Value:
    if isinstance(node, _Col):
        return node.value(data, n)
    if isinstance(node, _Const):
        return node.value_of(n)
    if isinstance(node, _Neg):
        v = _value(node.operand, data, n)
        return _Value(-v.data, v.missing)
    if isinstance(node, _Arith):
        a, b = _value(node.left, data, n), _value(node.right, data, n)
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            if node.op == "+":
                out = a.data + b.data
            elif node.op == "-":
                out = a.data - b.data
            elif node.op == "*":
                out = a.data * b.data
            else:
                out = np.where(b.data == 0, np.nan, a.data / np.where(b.data == 0, 1.0, b.data))
        out = out.astype("float64")
        return _Value(out, a.missing | b.missing | np.isnan(out))
    raise ScreeningError(f"internal: {type(node).__name__} is not a value")  # pragma: no cover


def _truth(node: _Node, data: pd.DataFrame, n: int) -> Truth:
    if isinstance(node, _Cmp):
        a, b = _value(node.left, data, n), _value(node.right, data, n)
        unknown = a.missing | b.missing
        res = np.asarray(_CMP_BY_SYMBOL[node.op](a.data, b.data), dtype=bool)
        return Truth(res & ~unknown, unknown)
    if isinstance(node, _Member):
        v = _value(node.operand, data, n)
        hit = pd.Series(v.data, copy=False).isin(list(node.values)).to_numpy(dtype=bool)
        if node.negate:
            hit = ~hit
        return Truth(hit & ~v.missing, v.missing.copy())
    if isinstance(node, _IsNa):
        v = _value(node.operand, data, n)
        res = ~v.missing if node.negate else v.missing.copy()
        return Truth(res, np.zeros(n, dtype=bool))
    if isinstance(node, _Not):
        t = _truth(node.operand, data, n)
        return Truth(t.false, t.unknown)
    if isinstance(node, _Logic):
        parts = [_truth(p, data, n) for p in node.operands]
        if node.op == "and":
            true = np.logical_and.reduce([p.true for p in parts])
            false = np.logical_or.reduce([p.false for p in parts])
        else:
            true = np.logical_or.reduce([p.true for p in parts])
            false = np.logical_and.reduce([p.false for p in parts])
        return Truth(true, ~(true | false))
    raise ScreeningError(f"internal: {type(node).__name__} is not a condition")  # pragma: no cover
