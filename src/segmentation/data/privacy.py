"""Masking of personal data (contact names, phones, e-mails) before anything is written.

The contract marks the personal columns (``personal=True`` in :mod:`segmentation.data.contract`):
the contact person's name, phone and e-mail. Every output the workbench writes goes through
:func:`mask_personal`, which keeps just enough for a colleague to recognise the contact
(first character of a name, last four digits of a phone, first letter and domain of an
e-mail) and nothing that identifies the person.

Free text (a survey comment, a contact's topic or outcome, a company name) can hold a phone
number or an e-mail address typed by a colleague; :func:`redact_contacts` masks those inside
the text, and :func:`mask_personal` applies it to the contract's free-text columns
(:data:`FREE_TEXT_COLUMNS`). A team whose customers are people (B2C) can declare more columns
personal in its mapping file (``personal: [customers.name]``); they are masked when loaded.

Examples
--------
>>> mask_name("王芳"), mask_phone("139 9806 7459"), mask_email("wang.fang@example.cn")
('王*', '***-7459', 'w***@example.cn')
>>> import pandas as pd
>>> t = pd.DataFrame({"customer_id": ["C1"], "contact_phone": ["13998067459"]})
>>> mask_personal(t)["contact_phone"].tolist()
['***-7459']
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from segmentation.data.contract import TABLES

#: Columns that hold personal data, from the contract.
PERSONAL_COLUMNS: tuple[str, ...] = tuple(
    dict.fromkeys(c.name for t in TABLES.values() for c in t.columns if c.personal)
)
#: Text columns that are not personal but may contain contact details typed as free text.
FREE_TEXT_COLUMNS: tuple[str, ...] = tuple(
    dict.fromkeys(c.name for t in TABLES.values() for c in t.columns if c.kind == "text" and not c.personal)
)
_MASKED_PHONE = re.compile(r"^\*\*\*(-\d{4})?$")
# ASCII classes on purpose: in Python's ``\w`` a Chinese character is a word character, so
# ``请联系13812345678谢谢`` had no word boundary around its number and was left in clear.
_EMAIL_IN_TEXT = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
# A digit run never starts or ends next to another digit (a number is taken whole); letters may
# touch it, and :func:`_phone_match` decides whether the run is part of an id.
_PHONE_IN_TEXT = re.compile(r"(?<![0-9*])\+?\d[\d ().-]{5,}\d(?![0-9])")
_DATE_LIKE = re.compile(r"\d{4}[-/.]\d{1,2}[-/.]\d{1,2}")
_AMOUNT_LIKE = re.compile(r"\d+\.\d{1,2}")
# A mobile number (China's 1[3-9]xxxxxxxxx, with or without its country code 86): masked even
# when glued to Latin letters (``call13812345673now``); any other digit run touching a Latin
# letter or an underscore is part of an id (``SO2025090000123``, ``batch_2025090000123``) and kept.
_MOBILE = re.compile(r"(?:86)?1[3-9]\d{9}")
_LATIN = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_")
_MASKERS = {"contact_name": "name", "contact_phone": "phone", "contact_email": "email"}


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, float) and value != value) or value is pd.NA or str(value).strip() == ""


def mask_name(value: object) -> object:
    """A person's name as its first character and one star per further character (at most 3).

    Examples
    --------
    >>> mask_name("Maria Lopez"), mask_name("马涛"), mask_name(None)
    ('M***', '马*', None)
    """
    if _blank(value):
        return value
    text = str(value).strip()
    return text[0] + "*" * min(len(text) - 1, 3) if len(text) > 1 else "*"


def mask_phone(value: object) -> object:
    """A phone number as ``***-`` and its last four digits (all stars when it has fewer than 7).

    Examples
    --------
    >>> mask_phone("+86 139-9806-7459"), mask_phone("12345"), mask_phone(mask_phone("13998067459"))
    ('***-7459', '***', '***-7459')
    """
    if _blank(value) or _MASKED_PHONE.match(str(value)):  # already masked: masking twice changes nothing
        return value
    digits = re.sub(r"\D", "", str(value))
    return f"***-{digits[-4:]}" if len(digits) >= 7 else "***"


def mask_email(value: object) -> object:
    """An e-mail address as its first character, ``***`` and the domain.

    Examples
    --------
    >>> mask_email("contactc201710001@example.cn"), mask_email("not an address")
    ('c***@example.cn', '***')
    """
    if _blank(value):
        return value
    text = str(value).strip()
    local, at, domain = text.partition("@")
    return f"{local[:1]}***@{domain}" if at and local and domain else "***"


def _phone_match(match: re.Match) -> str:
    text = match.group(0)
    digits = "".join(ch for ch in text if ch.isdigit())
    if not 7 <= len(digits) <= 15 or _DATE_LIKE.fullmatch(text.strip()) or _AMOUNT_LIKE.fullmatch(text):
        return text
    source, start, end = match.string, match.start(), match.end()
    glued = (start > 0 and source[start - 1] in _LATIN) or (end < len(source) and source[end] in _LATIN)
    if glued and not _MOBILE.fullmatch(digits):
        return text
    return mask_phone(text)


def redact_contacts(value: object) -> object:
    """Free text with every e-mail address and phone number in it masked.

    A phone number is a run of 7 to 15 digits, possibly with ``+``, spaces, hyphens, dots or
    brackets between them, found whatever stands around it (Chinese text, punctuation); dates
    such as ``2025-03-01`` and amounts such as ``12345678.50`` are left alone. A digit run glued
    to Latin letters is part of an id (``SO2025090000123``) and kept, unless its digits are a
    mobile number (``call13812345673now``). Idempotent.

    Examples
    --------
    >>> redact_contacts("请回电 139-9806-7459 或 wang.fang@example.cn, 2025-03-01 前")
    '请回电 ***-7459 或 w***@example.cn, 2025-03-01 前'
    >>> redact_contacts("请联系13812345678谢谢"), redact_contacts("1381234 5678号")
    ('请联系***-5678谢谢', '***-5678号')
    >>> redact_contacts("call13812345673now, order SO2025090000123")
    'call***-5673now, order SO2025090000123'
    >>> redact_contacts("order 42 of 2025, 3 items"), redact_contacts(None)
    ('order 42 of 2025, 3 items', None)
    """
    if _blank(value) or not isinstance(value, str):
        return value
    text = _EMAIL_IN_TEXT.sub(lambda m: mask_email(m.group(0)), value)
    return _PHONE_IN_TEXT.sub(_phone_match, text)


def mask_personal(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` with every personal column masked and contacts in free text redacted.

    Parameters
    ----------
    frame : DataFrame
        Any table; the columns named in :data:`PERSONAL_COLUMNS` are masked, and phone numbers
        and e-mail addresses inside every other text column (the :data:`FREE_TEXT_COLUMNS`,
        an account owner, a name, a label) are masked (:func:`redact_contacts`). Id columns
        (``customer_id``, ``order_id``, any ``*_id``), numbers and dates are untouched.

    Returns
    -------
    DataFrame

    Examples
    --------
    >>> t = pd.DataFrame({"contact_name": ["杨杰"], "contact_email": ["yj@corp.cn"], "owner": ["AM35"]})
    >>> mask_personal(t).values.tolist()
    [['杨*', 'y***@corp.cn', 'AM35']]
    >>> mask_personal(pd.DataFrame({"owner": ["回电13712345678"], "order_id": ["13712345678"]})).values.tolist()
    [['回电***-5678', '13712345678']]
    """
    out = frame.copy()
    masker = {"name": mask_name, "phone": mask_phone, "email": mask_email}
    for column in PERSONAL_COLUMNS:
        if column in out.columns:
            out[column] = out[column].astype(object).map(masker[_MASKERS.get(column, "name")])
    for position, column in enumerate(out.columns):  # by position: a table may repeat a column name
        if column in PERSONAL_COLUMNS or _is_id(column) or not _holds_text(out.iloc[:, position]):
            continue
        out.isetitem(position, _redacted(out.iloc[:, position]))
    return out


def _redacted(column: pd.Series) -> pd.Series:
    """``column`` with contacts redacted; each distinct value is looked at once, and a column without any is kept."""
    if isinstance(column.dtype, pd.CategoricalDtype):
        return column.map(redact_contacts)
    codes, uniques = pd.factorize(column)
    masked = [redact_contacts(value) for value in uniques]
    changed = np.array([isinstance(b, str) and a != b for a, b in zip(masked, uniques, strict=True)], dtype=bool)
    if not changed.any():
        return column
    rows = np.flatnonzero((codes >= 0) & changed[np.maximum(codes, 0)])
    out = column.copy()
    out.iloc[rows] = pd.Series(masked, dtype=object).to_numpy()[codes[rows]]
    return out


def _is_id(column: object) -> bool:
    """Whether a column holds ids (kept whole: a join key or an order number is not a contact)."""
    name = str(column).lower()
    return name == "id" or name.endswith("_id") or name.endswith("_ids")


def _holds_text(column: pd.Series) -> bool:
    if isinstance(column.dtype, pd.CategoricalDtype):
        return column.cat.categories.dtype == object or pd.api.types.is_string_dtype(column.cat.categories)
    return column.dtype == object or pd.api.types.is_string_dtype(column)


__all__ = [
    "FREE_TEXT_COLUMNS",
    "PERSONAL_COLUMNS",
    "mask_email",
    "mask_name",
    "mask_personal",
    "mask_phone",
    "redact_contacts",
]
