"""Which contacts are complaints: decided once, when the interactions are loaded.

A contact is a complaint when its topic (after the mapping's ``values:``) is a declared complaint
value (``complaint`` by default; a Chinese export maps ``投诉`` to it), and failing that when its topic
holds a complaint keyword of any language (:data:`COMPLAINT_KEYWORDS`, which a mapping file extends).
The loader stores the answer as the boolean column ``complaint`` of ``Dataset.interactions`` and the
load report counts the contacts each rule found; analyses read the column through :func:`is_complaint`.

Examples
--------
>>> import pandas as pd
>>> contacts = pd.DataFrame({"topic": ["complaint", "quote", "客户投诉: 发货慢", None]})
>>> found = find_complaints(contacts)
>>> found.flags.tolist(), found.counts
([True, False, True, False], {"topic is 'complaint'": 1, "keyword '投诉' in topic": 1})
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import NamedTuple

import pandas as pd

#: The interactions columns a complaint rule may read.
COMPLAINT_COLUMNS = ("topic", "outcome")
#: Values of the complaint column that mark a complaint, unless a mapping declares others.
COMPLAINT_VALUES = ("complaint",)
#: Words that mark a complaint inside the text, per language (case is ignored); a mapping file adds its own.
COMPLAINT_KEYWORDS: dict[str, tuple[str, ...]] = {
    "en": ("complaint", "complain"),
    "zh": ("投诉", "客诉", "抱怨"),
    "zh_Hant": ("投訴", "客訴", "抱怨"),
}
#: The loaded interactions' column holding the answer.
COMPLAINT = "complaint"


class Complaints(NamedTuple):
    """One flag per contact; the contacts found by each rule, in order (a contact counts for the first rule
    that finds it; rules that found none are left out); the rules that match no contact at all."""

    flags: pd.Series
    counts: dict[str, int]
    silent: list[str]


def find_complaints(
    interactions: pd.DataFrame,
    *,
    column: str = "topic",
    values: Sequence[str] = COMPLAINT_VALUES,
    keywords: Mapping[str, Sequence[str]] = COMPLAINT_KEYWORDS,
) -> Complaints:
    """Flag the complaints among ``interactions``: a declared value first, else a keyword.

    Parameters
    ----------
    interactions : DataFrame
        Contacts with the contract columns (``column`` may be absent: then nothing is a complaint).
    column : {"topic", "outcome"}, default "topic"
        The column read.
    values : sequence of str, default ("complaint",)
        Whole values of ``column`` that mark a complaint (case and surrounding spaces ignored).
    keywords : mapping of language to words, default :data:`COMPLAINT_KEYWORDS`
        Words that mark a complaint anywhere in ``column`` (case ignored), tried in order.

    Returns
    -------
    Complaints
        ``flags`` (a boolean Series on the index of ``interactions``) and ``counts``: the contacts each
        rule found, e.g. ``{"topic is 'complaint'": 350, "keyword '投诉' in topic": 29}``.

    Examples
    --------
    >>> import pandas as pd
    >>> find_complaints(pd.DataFrame({"topic": ["Complaint ", "grievance"]}), keywords={"en": ["grievance"]}).counts
    {"topic is 'complaint'": 1, "keyword 'grievance' in topic": 1}
    """
    flags = pd.Series(False, index=interactions.index)
    counts: dict[str, int] = {}
    silent: list[str] = []
    if column not in interactions.columns:
        return Complaints(flags, counts, silent)
    # Rules are tested on the distinct texts (a few dozen topics for a million contacts), then spread back.
    codes, texts = pd.factorize(interactions[column].astype("string").fillna("").str.strip().str.lower())
    texts = pd.Series(texts, dtype="string")
    rules = {f"{column} is {v!r}": lambda v=v: texts == str(v).strip().lower() for v in values}
    for words in keywords.values():
        rules.update(
            {f"keyword {w!r} in {column}": lambda w=w: texts.str.contains(str(w).lower(), regex=False) for w in words}
        )
    found = pd.Series(False, index=texts.index)
    for rule, match in rules.items():
        matches = match().fillna(False).astype(bool)
        if not matches.any():
            silent.append(rule)
        new = matches & ~found
        if new.any():
            counts[rule] = int(new.to_numpy()[codes].sum())
            found |= new
    flags = pd.Series(found.to_numpy()[codes], index=interactions.index)
    return Complaints(flags, counts, silent)


def is_complaint(interactions: pd.DataFrame) -> pd.Series:
    """Whether each contact is a complaint: the loader's ``complaint`` column, else the default rules.

    Frames that did not pass through the loader (``Dataset.from_frames``) have no ``complaint`` column;
    they get :func:`find_complaints` with its defaults.

    Examples
    --------
    >>> import pandas as pd
    >>> is_complaint(pd.DataFrame({"topic": ["投诉", "quote"], "complaint": [False, True]})).tolist()
    [False, True]
    >>> is_complaint(pd.DataFrame({"topic": ["投诉", "quote"]})).tolist()
    [True, False]
    """
    if COMPLAINT in interactions.columns:
        return interactions[COMPLAINT].fillna(False).astype(bool)
    return find_complaints(interactions).flags


__all__ = [
    "COMPLAINT",
    "COMPLAINT_COLUMNS",
    "COMPLAINT_KEYWORDS",
    "COMPLAINT_VALUES",
    "Complaints",
    "find_complaints",
    "is_complaint",
]
