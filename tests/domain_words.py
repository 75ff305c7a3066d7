"""What a Chinese page must not contain: English words (helper of the domain tests, not a test module)."""

from __future__ import annotations

import re

__all__ = ["english_words"]

#: Names of methods and measures that stay as they are in Chinese business writing.
ACRONYMS = {"ROC", "AUC", "NBD", "RFM", "BIC", "ARI", "CNY"}


def english_words(text: str, *, allowed: tuple[str, ...] = ()) -> list[str]:
    """The English words of 3+ ASCII letters in ``text``, minus acronyms and the ``allowed`` ones
    (customer data and code identifiers the test put there itself)."""
    words = re.findall(r"[A-Za-z]{3,}", str(text))
    return [w for w in words if w not in ACRONYMS and w not in allowed and not any(w in a for a in allowed)]
