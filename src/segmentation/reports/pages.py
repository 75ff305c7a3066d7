"""The words of the report pages: headings, introductions and page-side tables, in the report's language.

A report notebook shows its headings and explanations through :func:`section`, so that a page run
with ``-p language=zh`` is Chinese from its title to its last line; the notebook's own Markdown cell
documents it for a reader in JupyterLab and is not part of the published page. Every text comes from the
``reports`` catalogue (``locales/<language>/reports.yaml``), under ``page.<report>.<part>``.

Examples
--------
>>> print(section("quarterly_review.glance", "en"))
## At a glance
>>> print(section("quarterly_review.glance", "zh"))
## 概览
>>> section("tier_tuning.title", "zh").splitlines()[0]
'# 等级调优'
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from segmentation.i18n import catalogue, message
from segmentation.reports.views import column_name
from segmentation.review.words import number

#: The parts of a page that are a heading: part -> Markdown heading level (the others are paragraphs).
_TITLES = ("title",)


class Text(str):
    """Markdown text that a notebook shows as Markdown (``display(section(...))``)."""

    def _repr_markdown_(self) -> str:
        return str(self)


def section(part: str, language: str = "en", **values: object) -> Text:
    """A page's heading (and the paragraph under it, if the catalogue has one) as Markdown.

    Parameters
    ----------
    part : str
        ``<report>.<part>``: a key under ``reports.page`` in the catalogue, e.g. ``quarterly_review.kpis``.
        Its ``.intro`` (when present) becomes the paragraph under the heading.
    language : str, default "en"
    **values
        Filled into the texts (``{quarter}``).

    Examples
    --------
    >>> print(section("tier_tuning.lorenz", "en"))
    ## Where the thresholds cut the revenue curve
    <BLANKLINE>
    One curve of the customers' revenue; each candidate's thresholds are marked on it, so what differs between the candidates is where they cut.
    """
    words = catalogue(language)
    key = f"reports.page.{part}"
    level = "#" if part.rsplit(".", 1)[-1] in _TITLES else "##"
    text = f"{level} {_fill(words[key + '.heading'] if key + '.heading' in words else words[key], values)}"
    if f"{key}.intro" in words:
        text += "\n\n" + _fill(words[f"{key}.intro"], values)
    return Text(text)


def _fill(template: object, values: dict) -> str:
    return str(template).format(**values) if values else str(template)


def say(part: str, language: str = "en", **values: object) -> Text:
    """A sentence of a page (``reports.page.<part>``) as Markdown, e.g. "Everything was computed."

    Examples
    --------
    >>> print(say("quarterly_review.everything_computed", "zh"))
    所有部分均已计算。
    """
    return Text(_fill(catalogue(language)[f"reports.page.{part}"], values))


def files_written(written: dict[str, Path], language: str = "en") -> Text:
    """The files a report wrote, as a Markdown list; a sentence when nothing was written.

    Examples
    --------
    >>> print(files_written({}, "zh"))
    未设置输出目录(output_dir):没有写出文件。
    >>> print(files_written({"kpis": Path("/tmp/kpis.csv")}, "en"))
    - kpis.csv
    """
    if not written:
        return Text(message("reports.page.nothing_written", language))
    return Text("\n".join(f"- {p.name}" for p in sorted(written.values())))


def definitions_table(table: pd.DataFrame, language: str = "en") -> pd.DataFrame:
    """The churn-definition comparison with each definition by its name, never its code.

    Examples
    --------
    >>> t = pd.DataFrame({"definition": ["recorded", "quiet_quarter"], "roc_auc": [0.7, 0.6]})
    >>> definitions_table(t)["definition"].tolist()
    ['recorded loss', 'quiet quarter']
    >>> definitions_table(t, "zh")["definition"].tolist()
    ['登记的流失', '一个季度无购买']
    """
    words = catalogue(language)
    out = table.copy()
    out["definition"] = [
        message(f"reports.churn_definition.{d}", language) if f"reports.churn_definition.{d}" in words else d
        for d in out["definition"]
    ]
    return out


def feature_table(table: pd.DataFrame, language: str = "en") -> pd.DataFrame:
    """The feature glossary (``feature, meaning``) in ``language``: features by name, meanings translated.

    English is left as it is (the features by their column names, as in the CSV files).

    Examples
    --------
    >>> t = pd.DataFrame({"feature": ["revenue_t12m"], "meaning": ["revenue in the 12 months up to as_of"]})
    >>> feature_table(t, "zh").values.tolist()
    [['近12个月收入', '截至 as_of 的12个月内收入']]
    """
    if language == "en":
        return table
    words = catalogue(language)
    out = table.copy()
    out["meaning"] = [
        message(f"reports.feature.{f}", language) if f"reports.feature.{f}" in words else m
        for f, m in zip(out["feature"], out["meaning"], strict=True)
    ]
    out["feature"] = [column_name(f, language) for f in out["feature"]]
    return out


def persona_table(table: pd.DataFrame) -> pd.DataFrame:
    """Persona profiles as a reader sees them: the play by its label (``play_label``), not its code.

    Examples
    --------
    >>> t = pd.DataFrame({"name": ["a"], "play": ["deepen_value"], "play_label": ["Deepen value"]})
    >>> persona_table(t).columns.tolist(), persona_table(t)["play"].tolist()
    (['name', 'play'], ['Deepen value'])
    """
    if "play_label" not in table:
        return table
    return table.drop(columns="play").rename(columns={"play_label": "play"})


def count_words(n: int, language: str = "en") -> str:
    """A count of customers in words (``1,234 customers``, ``1,234 位客户``)."""
    return message("reports.customers", language, n=number(n, language), count=n)


__all__ = [
    "Text",
    "count_words",
    "definitions_table",
    "feature_table",
    "files_written",
    "persona_table",
    "say",
    "section",
]
