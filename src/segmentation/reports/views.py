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
import re
from collections.abc import Iterable, Sequence

import pandas as pd
from pandas.io.formats.style import Styler

from segmentation.data.privacy import mask_personal, redact_contacts
from segmentation.i18n import catalogue, format_date, format_money, format_number, format_percent, message
from segmentation.review.words import kpi_name

STATUS_COLORS = {"met": "#d8efd9", "missed": "#f6d5d1", "not computed": "#eeeeee"}

#: Columns whose values are codes a reader sees in words: column -> catalogue prefix of the words.
#: Only codes of the workbench's own presets are translated; a team's own words are shown as they are.
VALUE_WORDS = {
    "status": "review.status",
    "band": "review.band",
    "move": "review.move",
    "window": "review.window",
    "tier": "reports.value",
    "previous_tier": "review.move",
    "current_tier": "review.move",
    "label": "reports.tier_label",
    "tier_label": "reports.tier_label",
    "index": "reports.stat",
    "contact": "reports.contact",
    "channels": "reports.channel",
    "channel": "reports.channel",
    "preferred_channel": "reports.channel",
    "reason": "review.churn_reason",
    "segment": "values.segment",
    "kpi": "review.kpi",
    "definition": "reports.churn_definition",
    "scorer": "reports.scorer",
    "candidate": "reports.candidate",
    "setting": "reports.setting",
    "table": "reports.table",
    "model": "btyd.model",
    "parameter": "btyd.parameter",
}
#: Prefixes whose values are translated only when written as the code itself (``pareto_nbd``): a page
#: table that already holds the words (``Pareto/NBD（选用）``) keeps them.
_CODES_ONLY = ("btyd.model", "btyd.parameter")
#: Column names that stand for a family (``share_A``, ``last_4_quarters``): pattern -> message key.
_COLUMN_PATTERNS = (
    (re.compile(r"^min_(?P<tier>\w+)$"), "reports.column_pattern.min"),
    (re.compile(r"^revenue_share_(?P<tier>\w+)$"), "reports.column_pattern.revenue_share"),
    (re.compile(r"^share_(?P<tier>\w+)$"), "reports.column_pattern.share"),
    (re.compile(r"^retention_(?P<tier>\w+)$"), "reports.column_pattern.retention"),
    (re.compile(r"^last_(?P<n>\d+)_quarters$"), "reports.column_pattern.last_quarters"),
    (re.compile(r"^reason_(?P<n>\d+)$"), "reports.column_pattern.reason"),
    (re.compile(r"^previous_(?P<column>\w+)$"), "reports.column_pattern.previous"),
    (re.compile(r"^current_(?P<column>\w+)$"), "reports.column_pattern.current"),
)


def _code(value: object) -> str:
    return re.sub(r"[^0-9a-z]+", "_", str(value).lower()).strip("_")


def column_name(column: object, language: str = "en") -> str:
    """The header a reader sees for ``column``: its name in ``language`` (``revenue_t12m`` -> ``近12个月收入``).

    English shows the column's own name with spaces (``revenue t12m``), as the pages always did; the
    other languages use ``reports.column.<name>`` of the catalogue, then a pattern for a family of
    columns (``share_A``, ``last_4_quarters``), then the name with spaces.

    Examples
    --------
    >>> column_name("customer_share", "en"), column_name("customer_share", "zh")
    ('customer share', '客户占比')
    >>> column_name("share_A", "zh"), column_name("last_4_quarters", "zh")
    ('A 级客户占比', '近 4 个季度')
    """
    name = str(column)
    words = catalogue(language)
    if f"reports.column.{name}" in words:
        return message(f"reports.column.{name}", language)
    if language != "en":
        for pattern, key in _COLUMN_PATTERNS:
            found = pattern.match(name)
            if found:
                parts = found.groupdict()
                if "column" in parts:
                    if f"reports.column.{parts['column']}" not in words:
                        continue
                    parts["column"] = message(f"reports.column.{parts['column']}", language)
                return message(key, language, **parts)
    return name.replace("_", " ")


def value_words(column: str, values: pd.Series, language: str = "en") -> pd.Series:
    """``values`` of a code column (:data:`VALUE_WORDS`) in ``language``'s words; other values unchanged.

    English is left as it is (the codes are English words already).

    Examples
    --------
    >>> value_words("status", pd.Series(["met", "missed", "no target"]), "zh").tolist()
    ['达标', '未达标', '无目标']
    >>> value_words("label", pd.Series(["strategic", "our own"]), "zh").tolist()
    ['战略客户', 'our own']
    >>> value_words("model", pd.Series(["pareto_nbd", "Pareto/NBD（选用）"]), "zh").tolist()
    ['Pareto/NBD', 'Pareto/NBD（选用）']
    """
    prefix = VALUE_WORDS.get(column)
    if prefix is None or language == "en":
        return values
    words = catalogue(language)

    def word(value: object) -> object:
        if not isinstance(value, str):
            return value
        if prefix == "review.kpi":
            return kpi_name(value, language)
        if prefix in _CODES_ONLY and _code(value) != value:
            return value
        parts = [p.strip() for p in value.split(",")] if column == "channels" else [value]
        keys = [f"{prefix}.{_code(p)}" for p in parts]
        if not all(k in words for k in keys):
            return value
        return "、".join(message(k, language) for k in keys)

    return values.map(word)


def view(
    frame: pd.DataFrame,
    *,
    percent: Sequence[str] = (),
    money: Sequence[str] = (),
    decimals: Sequence[str] = (),
    integers: Sequence[str] = (),
    max_rows: int | None = None,
    index: bool = False,
    language: str = "en",
    currency: str = "CNY",
) -> Styler:
    """A formatted, escaped view of ``frame`` for a report (personal columns masked).

    Parameters
    ----------
    frame : DataFrame
    percent, money, decimals, integers : column names
        Shown as 12.3%, 1,234,567 (``¥1,234,567`` outside English), 1.23 and 1,234 (a mean
        count, rounded). A column named ``year`` is shown as a year (2022, not 2,022).
    max_rows : int, optional
        Show only the first rows (the report's files hold them all).
    index : bool, default False
        Show the index.
    language : str, default "en"
        Headers, code values (statuses, bands, moves, tier labels, ...) and number formats in
        this language (:func:`column_name`, :func:`value_words`).
    currency : str, default "CNY"
        Currency of the ``money`` columns outside English.

    Examples
    --------
    >>> years = pd.DataFrame({"year": [2022, 2023], "customers": [1500, 2000]})
    >>> "2,022" in view(years).to_html(), "2022" in view(years).to_html()
    (False, True)
    >>> html = view(pd.DataFrame({"status": ["met"], "revenue": [1234567.0]}), money=["revenue"],
    ...             language="zh").to_html()
    >>> "达标" in html, "¥1,234,567" in html, "收入" in html
    (True, True, True)
    """
    shown = mask_personal(frame if max_rows is None else frame.head(max_rows))
    shown = shown.apply(lambda c: value_words(str(c.name), c, language) if c.dtype.kind == "O" else c)
    en = language == "en"
    formats: dict = {}
    for column in shown.columns:
        kind = shown[column].dtype.kind
        if column in percent:
            formats[column] = "{:.1%}" if en else (lambda v: format_percent(v, language))
        elif column in money:
            formats[column] = "{:,.0f}" if en else (lambda v: format_money(v, language, currency=currency))
        elif column in decimals:
            formats[column] = "{:,.2f}"
        elif column in integers:
            formats[column] = "{:,.0f}"
        elif str(column) == "year" and kind in "iuf":
            formats[column] = "{:.0f}"
        elif kind == "M":
            if en:
                formats[column] = lambda d: "" if pd.isna(d) else f"{d:%Y-%m-%d}"
            else:
                formats[column] = lambda d: "" if pd.isna(d) else format_date(d, language)
        elif kind == "b" and not en:
            yes, no = message("reports.value.true", language), message("reports.value.false", language)
            formats[column] = lambda v, yes=yes, no=no: yes if v else no
        elif kind in "iu":
            formats[column] = "{:,}" if en else (lambda v: format_number(v, language))
        elif kind == "f":
            formats[column] = "{:,.0f}" if (shown[column].dropna() % 1 == 0).all() else "{:,.2f}"
    text = [c for c in shown.columns if shown[c].dtype.kind in "OUST" or isinstance(shown[c].dtype, pd.StringDtype)]
    styler = shown.style.format(formats, na_rep="", escape="html")
    styler = styler.format_index(lambda c: html.escape(column_name(c, language)), axis=1)
    styler = styler.format_index(escape="html", axis=0).set_properties(subset=text, **{"text-align": "left"})
    return styler if index else styler.hide(axis="index")


def scorecard_view(kpis: pd.DataFrame, scorecard: pd.DataFrame, *, language: str = "en") -> Styler:
    """The tier-by-KPI scorecard, each cell coloured by its status (met, missed, not computed).

    Columns are headed by the KPIs' names (``Retention rate``, ``留存率``), never their codes.

    Examples
    --------
    >>> k = pd.DataFrame({"tier": ["A"], "kpi": ["retention_rate"], "status": ["met"]})
    >>> html = scorecard_view(k, pd.DataFrame({"retention_rate": ["97%: met"]}, index=["A"])).to_html()
    >>> "Retention rate" in html, "retention_rate" in html
    (True, False)
    """
    status = kpis.pivot(index="tier", columns="kpi", values="status").reindex_like(scorecard)
    colors = status.map(lambda s: f"background-color: {STATUS_COLORS[s]}" if s in STATUS_COLORS else "")
    styler = scorecard.style.apply(lambda _: colors, axis=None).format(escape="html")
    styler = styler.format_index(lambda c: html.escape(kpi_name(str(c), language)), axis=1)
    tiers = {"All": message("reports.value.all", language)}
    styler = styler.format_index(lambda t: html.escape(tiers.get(str(t), str(t))), axis=0)
    return styler.hide(names=True, axis="columns").hide(names=True, axis="index")


def bullets(lines: Iterable[str]) -> str:
    """A bullet list of plain-text lines, safe to pass to ``Markdown``.

    The list is an HTML block, so neither HTML nor Markdown in the data is interpreted: a
    persona named after an industry typed as ``**x**`` or ``[x](javascript:...)`` shows those
    characters, never bold text or a link. Phone numbers and e-mail addresses are masked
    (:func:`segmentation.data.privacy.redact_contacts`).
    """
    items = (html.escape(" ".join(redact_contacts(str(line)).split()), quote=False) for line in lines)
    return "<ul>\n" + "".join(f"<li>{item}</li>\n" for item in items) + "</ul>"


def kpi_findings(kpis: pd.DataFrame, *, language: str = "en") -> list[str]:
    """One sentence per missed target, worst gap first: the gaps the review must explain.

    Examples
    --------
    >>> k = pd.DataFrame({"tier": ["A", "B"], "kpi": ["retention_rate", "activity"], "value": [0.9, 3.5],
    ...                   "target": [0.95, 3.0], "status": ["missed", "met"]})
    >>> kpi_findings(k)
    ['A: retention rate 90.0% against a target of 95% (5.0 points short)']
    >>> kpi_findings(k, language="zh")
    ['A 级:留存率 90.0%,目标 95%(差 5.0 个百分点)']
    """
    missed = kpis.loc[kpis["status"] == "missed"].copy()
    missed["gap"] = (missed["target"] - missed["value"]).abs() / missed["target"].where(missed["target"] > 0, 1)
    out = []
    for _, r in missed.sort_values("gap", ascending=False, kind="stable").iterrows():
        name = kpi_name(r["kpi"], language).lower()
        if r["kpi"] == "activity":
            out.append(
                message(
                    "reports.finding.activity",
                    language,
                    tier=r["tier"],
                    value=f"{r['value']:.2f}",
                    target=f"{r['target']:g}",
                )
            )
        else:
            points = f"{abs(r['target'] - r['value']) * 100:.1f}"
            key = "reports.finding.over" if r["kpi"] == "churn_rate" else "reports.finding.short"
            out.append(
                message(
                    key,
                    language,
                    tier=r["tier"],
                    kpi=name,
                    value=format_percent(r["value"], language),
                    target=format_percent(r["target"], language, digits=0),
                    points=points,
                )
            )
    return out


__all__ = ["VALUE_WORDS", "bullets", "column_name", "kpi_findings", "scorecard_view", "value_words", "view"]
