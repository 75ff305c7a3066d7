"""How report notebooks show tables and notes: formatted, escaped, personal data masked.

Everything shown passes through here, so every value a team typed (a customer called
``<script>``) is escaped and every contact field is masked before it reaches the HTML.

Examples
--------
>>> import pandas as pd
>>> html = view(pd.DataFrame({"name": ["<b>Acme</b>"], "share": [0.25]}), percent=["share"]).to_html()
>>> "&lt;b&gt;Acme&lt;/b&gt;" in html, "25.0%" in html
(True, True)
>>> print(bullets(["KPI activity: no interactions table", "[x](javascript:alert(1)) **bold** <b>"]))
<ul>
<li>KPI activity: no interactions table</li>
<li>[x](javascript:alert(1)) **bold** &lt;b&gt;</li>
</ul>
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Sequence

import pandas as pd
from pandas.io.formats.style import Styler

from segmentation.data.privacy import mask_personal, redact_contacts

STATUS_COLORS = {"met": "#d8efd9", "missed": "#f6d5d1", "not computed": "#eeeeee"}


def view(
    frame: pd.DataFrame,
    *,
    percent: Sequence[str] = (),
    money: Sequence[str] = (),
    decimals: Sequence[str] = (),
    max_rows: int | None = None,
    index: bool = False,
) -> Styler:
    """A formatted, escaped view of ``frame`` for a report (personal columns masked).

    Parameters
    ----------
    frame : DataFrame
    percent, money, decimals : column names
        Shown as 12.3%, 1,234,567 and 1.23.
    max_rows : int, optional
        Show only the first rows (the report's files hold them all).
    index : bool, default False
        Show the index.
    """
    shown = mask_personal(frame if max_rows is None else frame.head(max_rows))
    formats: dict = {}
    for column in shown.columns:
        kind = shown[column].dtype.kind
        if column in percent:
            formats[column] = "{:.1%}"
        elif column in money:
            formats[column] = "{:,.0f}"
        elif column in decimals:
            formats[column] = "{:,.2f}"
        elif kind == "M":
            formats[column] = lambda d: "" if pd.isna(d) else f"{d:%Y-%m-%d}"
        elif kind in "iu":
            formats[column] = "{:,}"
        elif kind == "f":
            formats[column] = "{:,.0f}" if (shown[column].dropna() % 1 == 0).all() else "{:,.2f}"
    text = [c for c in shown.columns if shown[c].dtype.kind in "OUST" or isinstance(shown[c].dtype, pd.StringDtype)]
    styler = shown.style.format(formats, na_rep="", escape="html")
    styler = styler.format_index(lambda c: html.escape(str(c).replace("_", " ")), axis=1)
    styler = styler.format_index(escape="html", axis=0).set_properties(subset=text, **{"text-align": "left"})
    return styler if index else styler.hide(axis="index")


def scorecard_view(kpis: pd.DataFrame, scorecard: pd.DataFrame) -> Styler:
    """The tier-by-KPI scorecard, each cell coloured by its status (met, missed, not computed)."""
    status = kpis.pivot(index="tier", columns="kpi", values="status").reindex_like(scorecard)
    colors = status.map(lambda s: f"background-color: {STATUS_COLORS[s]}" if s in STATUS_COLORS else "")
    styler = scorecard.style.apply(lambda _: colors, axis=None).format(escape="html")
    return styler.format_index(lambda c: html.escape(str(c).replace("_", " ")), axis=1)


def bullets(lines: Iterable[str]) -> str:
    """A bullet list of plain-text lines, safe to pass to ``Markdown``.

    The list is an HTML block, so neither HTML nor Markdown in the data is interpreted: a
    persona named after an industry typed as ``**x**`` or ``[x](javascript:...)`` shows those
    characters, never bold text or a link. Phone numbers and e-mail addresses are masked
    (:func:`segmentation.data.privacy.redact_contacts`).
    """
    items = (html.escape(" ".join(redact_contacts(str(line)).split()), quote=False) for line in lines)
    return "<ul>\n" + "".join(f"<li>{item}</li>\n" for item in items) + "</ul>"


def kpi_findings(kpis: pd.DataFrame) -> list[str]:
    """One sentence per missed target, worst gap first: the gaps the review must explain.

    Examples
    --------
    >>> k = pd.DataFrame({"tier": ["A", "B"], "kpi": ["retention_rate", "activity"], "value": [0.9, 3.5],
    ...                   "target": [0.95, 3.0], "status": ["missed", "met"]})
    >>> kpi_findings(k)
    ['A: retention rate 90.0% against a target of 95% (5.0 points short)']
    """
    missed = kpis.loc[kpis["status"] == "missed"].copy()
    missed["gap"] = (missed["target"] - missed["value"]).abs() / missed["target"].where(missed["target"] > 0, 1)
    out = []
    for _, r in missed.sort_values("gap", ascending=False, kind="stable").iterrows():
        if r["kpi"] == "activity":
            out.append(f"{r['tier']}: activity {r['value']:.2f} contacts per customer and month against a target "
                       f"of {r['target']:g}")
        else:
            points = abs(r["target"] - r["value"]) * 100
            word = "short" if r["kpi"] != "churn_rate" else "over"
            out.append(f"{r['tier']}: {r['kpi'].replace('_', ' ')} {r['value']:.1%} against a target of {r['target']:.0%} "
                       f"({points:.1f} points {word})")
    return out


__all__ = ["bullets", "kpi_findings", "scorecard_view", "view"]
