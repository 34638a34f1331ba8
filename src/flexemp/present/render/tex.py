"""LaTeX (booktabs) rendering of a :class:`~flexemp.present.table.Table`."""

from __future__ import annotations

from flexemp.present.render._common import number_columns, stat_rule_above
from flexemp.present.table import Table

_TEX_SPECIAL = {
    "\\": r"\textbackslash{}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "{": r"\{",
    "}": r"\}",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
}
_TEX_TABLE = str.maketrans(_TEX_SPECIAL)


def tex_escape(text: str) -> str:
    r"""Escape LaTeX's special characters (``\ & % $ # _ { } ~ ^``); line breaks become spaces.

    Examples
    --------
    >>> print(tex_escape("R&D 50% a_b {x} ~ ^ \\ $1 #2"))
    R\&D 50\% a\_b \{x\} \textasciitilde{} \textasciicircum{} \textbackslash{} \$1 \#2
    """
    return " ".join(text.splitlines()).translate(_TEX_TABLE)


def render_latex(table: Table) -> str:
    r"""Render a table as a booktabs ``table`` environment.

    ``\toprule`` above the header, ``\cmidrule(lr)`` under each labelled
    column group (a ``\multicolumn`` header), ``\midrule`` under the column
    headers and above the first statistics row, ``\bottomrule`` at the foot.
    Number columns are plain ``r`` columns (no siunitx needed; the decimal
    points line up when a column's numbers have the same decimals, which is
    how the table model builds them; stars and brackets can shift them).
    Text columns are ``c``.  Section rows are a bold ``\multicolumn`` row;
    notes are a ``\multicolumn`` ``p{}`` row below ``\bottomrule`` spanning
    the table, so no threeparttable is needed.  All text is escaped.  The
    output begins with a comment naming the packages it needs.

    Parameters
    ----------
    table : Table
        The table to render.

    Returns
    -------
    str
        LaTeX source ending with a newline.

    Examples
    --------
    >>> from flexemp.present.table import Cell, Row, Table
    >>> t = Table("表1 样本", ("(1)",), (Row("年龄", (Cell(35.25, 2),)),), stub_header="变量")
    >>> print(render_latex(t))  # doctest: +NORMALIZE_WHITESPACE
    % Needs \usepackage{booktabs}; for Chinese text compile with XeLaTeX and \usepackage{xeCJK} (or use ctexart).
    \begin{table}[htbp]
    \centering
    \caption{表1 样本}
    \begin{tabular}{lr}
    \toprule
    变量 & (1) \\
    \midrule
    年龄 & 35.25 \\
    \bottomrule
    \end{tabular}
    \end{table}
    <BLANKLINE>
    """
    n = len(table.columns)
    spec = "l" + "".join("r" if num else "c" for num in number_columns(table))
    out = [
        "% Needs \\usepackage{booktabs}; for Chinese text compile with XeLaTeX and "
        "\\usepackage{xeCJK} (or use ctexart).",
        "\\begin{table}[htbp]",
        "\\centering",
    ]
    if table.title:
        out.append(f"\\caption{{{tex_escape(table.title)}}}")
    if table.notes:  # measure the tabular so the notes wrap at the table's width
        out.append("\\sbox0{%")
    out += [f"\\begin{{tabular}}{{{spec}}}", "\\toprule"]
    if table.column_groups:
        cells, rules, col = [""], [], 2
        for g in table.column_groups:
            label = tex_escape(g.label)
            cells.append(f"\\multicolumn{{{g.span}}}{{c}}{{{label}}}" if g.span > 1 else label)
            if g.label.strip():
                rules.append(f"\\cmidrule(lr){{{col}-{col + g.span - 1}}}")
            col += g.span
        out.append(" & ".join(cells) + " \\\\")
        if rules:
            out.append(" ".join(rules))
    out.append(
        " & ".join([tex_escape(table.stub_header), *map(tex_escape, table.columns)]) + " \\\\"
    )
    out.append("\\midrule")
    stat_at = stat_rule_above(table)
    for k, r in enumerate(table.rows):
        if k == stat_at:
            out.append("\\midrule")
        if r.kind == "section":
            out.append(f"\\multicolumn{{{n + 1}}}{{l}}{{\\textbf{{{tex_escape(r.label)}}}}} \\\\")
        else:
            out.append(
                " & ".join([tex_escape(r.label), *(tex_escape(c.text) for c in r.cells)]) + " \\\\"
            )
    out += ["\\bottomrule", "\\end{tabular}"]
    if table.notes:
        out += ["}%", "\\begin{minipage}{\\wd0}", "\\usebox0\\par\\smallskip", "\\footnotesize"]
        out += [f"{tex_escape(note)}\\par" for note in table.notes]
        out.append("\\end{minipage}")
    out.append("\\end{table}")
    return "\n".join(out) + "\n"
