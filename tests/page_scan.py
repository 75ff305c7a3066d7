"""Find the English words a reader would see on a page meant to be in another language.

Strips the page to the text a reader sees (no tags, scripts, styles or embedded images), then removes
what is allowed to stay as it is: customer data (ids such as C0001, names the team typed), numbers,
and code identifiers (file names, column names of the CSV files, parameters). What remains and is an
ASCII word of three letters or more is reported.
"""

from __future__ import annotations

import html
import re
from collections import Counter

#: Words that may appear on any page: code identifiers a reader types or opens, and technical names
#: that have no translation (metric and model names, file formats).
CODE_WORDS = {
    "csv",
    "xlsx",
    "kpi",
    "roc",
    "auc",
    "brier",
    "btyd",
    "rfm",
    "nbd",
    "bgnbd",
    "eta",
    "cny",
    "excel",
    "as_of",
    "time_unit",
    "jupyterlab",
    "bic",
    "overdue_contacts",
    "never_contacted",
    "tier_changes",
    "output_dir",
    "churn_events",
    "interactions",
    "surveys",
    "transactions",
    "customers",
    "abc",
    "sabc",
    "random_state",
    "chosen",
    "gamma-gamma",
}


def visible_text(page: str) -> str:
    """The text of an HTML page as a reader sees it."""
    page = re.sub(r"<(script|style|head)\b.*?</\1>", " ", page, flags=re.S | re.I)
    page = re.sub(r"<[^>]+>", " ", page)
    return html.unescape(page)


def english_words(page: str, *, allowed: set[str] = frozenset()) -> Counter:
    """ASCII words of 3+ letters left on ``page`` once data, numbers and code identifiers are removed.

    ``allowed``: further words that are data of this page (customer names, persona names the team typed).

    >>> english_words("<h2>概览</h2><td>C0001</td><td>2,022</td><td>/tmp/data/x.csv</td><p>达标 met</p>")
    Counter({'met': 1})
    """
    text = visible_text(page)
    text = re.sub(r"\S+@\S+", " ", text)  # e-mail addresses (masked): customer data
    text = re.sub(r"\b[\w.-]+\.(csv|xlsx|ipynb|yaml|skops)\b", " ", text)  # file names
    text = re.sub(r"\S*/\S*", " ", text)  # paths: the data folder the page names
    text = re.sub(r"\b[A-Za-z]*\d[\w-]*\b", " ", text)  # ids and numbers: C0001, 2025Q3, 12m
    words = re.findall(r"[A-Za-z][A-Za-z_'-]*[A-Za-z]", text)
    known = {w.lower() for w in CODE_WORDS | set(allowed)}
    return Counter(w for w in words if len(w) >= 3 and w.lower() not in known)
