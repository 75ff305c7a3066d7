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
_EMAIL_IN_TEXT = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_PHONE_IN_TEXT = re.compile(r"(?<![\w*])\+?\d[\d ().-]{5,}\d(?!\w)")
_DATE_LIKE = re.compile(r"\d{4}[-/.]\d{1,2}[-/.]\d{1,2}")
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
    digits = sum(ch.isdigit() for ch in text)
    if digits < 7 or digits > 15 or _DATE_LIKE.fullmatch(text.strip()):
        return text
    return mask_phone(text)


def redact_contacts(value: object) -> object:
    """Free text with every e-mail address and phone number in it masked.

    A phone number is a run of 7 to 15 digits, possibly with ``+``, spaces, hyphens, dots or
    brackets between them; dates such as ``2025-03-01`` are left alone. Idempotent.

    Examples
    --------
    >>> redact_contacts("请回电 139-9806-7459 或 wang.fang@example.cn, 2025-03-01 前")
    '请回电 ***-7459 或 w***@example.cn, 2025-03-01 前'
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
        and e-mail addresses inside the :data:`FREE_TEXT_COLUMNS` are masked
        (:func:`redact_contacts`). Other columns are untouched.

    Returns
    -------
    DataFrame

    Examples
    --------
    >>> t = pd.DataFrame({"contact_name": ["杨杰"], "contact_email": ["yj@corp.cn"], "owner": ["AM35"]})
    >>> mask_personal(t).values.tolist()
    [['杨*', 'y***@corp.cn', 'AM35']]
    """
    out = frame.copy()
    masker = {"name": mask_name, "phone": mask_phone, "email": mask_email}
    for column in PERSONAL_COLUMNS:
        if column in out.columns:
            out[column] = out[column].astype(object).map(masker[_MASKERS.get(column, "name")])
    for column in FREE_TEXT_COLUMNS:
        if column in out.columns and not pd.api.types.is_numeric_dtype(out[column]):
            out[column] = out[column].map(redact_contacts)
    return out


__all__ = [
    "FREE_TEXT_COLUMNS",
    "PERSONAL_COLUMNS",
    "mask_email",
    "mask_name",
    "mask_personal",
    "mask_phone",
    "redact_contacts",
]
