"""Decode a text file's bytes, telling how sure the choice of encoding is.

``auto`` tries UTF-8 (with or without a byte-order mark), UTF-16 with its byte-order mark, then
GB18030 (the superset of GBK that Excel writes on Chinese Windows). UTF-8 seldom decodes text
written in anything else, but GB18030 decodes most byte strings: a Latin-1 file such as
``Müller`` (``4D FC 6C ...``) reads as ``M黮ler``. So a GB18030 reading is judged by its text:
Chinese prose is written almost entirely with the 6,763 common characters of GB2312, while bytes
of another encoding land on rare ones. When every non-ASCII character is common the choice is
certain; when most are rare and the Latin-1 reading is letters, the file is refused as Latin-1 (the
contract refuses Latin-1 unless the mapping names it); in between, the file is read as GBK and a
warning shows examples of both readings.

Examples
--------
>>> decode("客户,Müller\\n".encode("utf-8"), "auto")[:2]
('客户,Müller\\n', 'utf-8')
>>> text, encoding, doubt = decode("customer_id,name\\nC1,王小明\\n".encode("gbk"), "auto")
>>> encoding, doubt is None
('gb18030', True)
>>> decode("customer_id,name\\nC1,Müller\\n".encode("latin-1"), "auto")
Traceback (most recent call last):
...
UnicodeDecodeError: 'auto' codec can't decode byte 0xfc in position 21: line 2 reads as GBK only with characters rare in Chinese ('M黮ler'), and as Latin-1 ('Müller'), which is not read without being named
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from functools import lru_cache

#: Encodings tried in order when the mapping says ``auto``. ``utf-8-sig`` also reads
#: plain UTF-8; GB18030 is the superset of GBK that Excel writes on Chinese Windows.
ENCODINGS = ("utf-8-sig", "gb18030")
#: Above this share of rare characters (and with a Latin-1 reading made of letters) a GB18030
#: reading is taken for Latin-1 and refused.
RARE_SHARE = 0.5
#: How many examples a message shows.
_EXAMPLES = 3


@lru_cache(maxsize=4096)
def _rare(ch: str) -> bool:
    """A character outside GB2312, the common set every Chinese text is written with."""
    try:
        ch.encode("gb2312")
    except UnicodeEncodeError:
        return True
    return False


def _latin1_letters(raw: bytes) -> float:
    """The share of the bytes above 0x7F that are letters when read as Latin-1."""
    counts = Counter(raw)  # counted in C: fast on large files
    high = sum(n for b, n in counts.items() if b > 0x7F)
    if not high:
        return 0.0
    return sum(n for b, n in counts.items() if b > 0x7F and unicodedata.category(chr(b)).startswith("L")) / high


def _examples(text: str, rare: set[str]) -> list[tuple[int, int, str, str]]:
    """Up to three words holding rare characters: (line, offset in the text, as GBK, as Latin-1)."""
    found = []
    pattern = re.compile("[^,;\t|\\s\"']*[" + re.escape("".join(sorted(rare))) + "][^,;\t|\\s\"']*")
    for match in pattern.finditer(text):
        word = match.group()
        found.append(
            (text.count("\n", 0, match.start()) + 1, match.start(), word, word.encode("gb18030").decode("latin-1"))
        )
        if len(found) == _EXAMPLES:
            break
    return found


def gbk_doubt(raw: bytes, text: str) -> tuple[float, float, list[tuple[int, int, str, str]]]:
    """How doubtful a GB18030 reading ``text`` of ``raw`` is.

    Returns
    -------
    tuple
        The share of non-ASCII characters that are rare in Chinese, the share of high bytes that
        are letters in Latin-1, and examples (line, offset, as GBK, as Latin-1).

    Examples
    --------
    >>> raw = "Müller,Café".encode("latin-1")
    >>> share, letters, examples = gbk_doubt(raw, raw.decode("gb18030", errors="replace"))
    >>> share, letters, examples[0][2:]
    (1.0, 1.0, ('M黮ler', 'Müller'))
    """
    total = len(text) - len(text.encode("ascii", "ignore"))  # the non-ASCII characters, counted in C
    if not total:
        return 0.0, 0.0, []
    rare = {ch for ch in set(text) if ord(ch) > 0x7F and _rare(ch)}
    if not rare:
        return 0.0, 0.0, []
    share = sum(text.count(ch) for ch in rare) / total
    return share, _latin1_letters(raw), (_examples(text, rare) if rare else [])


def decode(raw: bytes, encoding: str) -> tuple[str, str, str | None]:
    """The text, the encoding used and, when the choice was not certain, a warning with examples.

    Parameters
    ----------
    raw : bytes
        The file's bytes.
    encoding : str
        ``auto``, or a codec name (then used as it is, with no doubt).

    Raises
    ------
    UnicodeDecodeError
        When no encoding tried reads the file, or it reads as GBK only with rare characters
        while its Latin-1 reading is letters; the reason names the line and the byte or words.
    """
    if encoding != "auto":
        return raw.decode(encoding), encoding, None
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):  # UTF-16 with its byte-order mark: Excel's "Unicode Text"
        return raw.decode("utf-16"), "utf-16", None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        first = exc
    else:
        return text, ("utf-8-sig" if raw.startswith(b"\xef\xbb\xbf") else "utf-8"), None
    try:
        text = raw.decode("gb18030")
    except UnicodeDecodeError:
        # Name the first byte UTF-8 could not read (utf-8-sig counts positions after a byte-order mark).
        start = first.start + (3 if raw.startswith(b"\xef\xbb\xbf") else 0)
        where = raw.count(b"\n", 0, start) + 1
        raise UnicodeDecodeError(
            "auto", raw, start, start + 1, f"line {where} has byte {raw[start]:#04x}, which is neither UTF-8 nor GBK"
        ) from None
    share, letters, examples = gbk_doubt(raw, text)
    if not examples:
        return text, "gb18030", None
    shown = ", ".join(f"line {line}: {gbk!r}, as Latin-1 {latin!r}" for line, _, gbk, latin in examples)
    if share >= RARE_SHARE and letters >= 0.8:
        line, offset, gbk, latin = examples[0]
        start = len(text[:offset].encode("gb18030")) + next(
            i for i, ch in enumerate(gbk) if ord(ch) > 0x7F
        )  # the first byte of the first rare word
        raise UnicodeDecodeError(
            "auto",
            raw,
            start,
            start + 1,
            f"line {line} reads as GBK only with characters rare in Chinese ({gbk!r}), and as Latin-1 ({latin!r}), "
            "which is not read without being named",
        )
    return (
        text,
        "gb18030",
        f"read as GBK, but {share:.0%} of its non-ASCII characters are rare in Chinese text ({shown}); "
        "if the file is not GBK, name its encoding in a mapping file (csv: {encoding: latin-1})",
    )


__all__ = ["ENCODINGS", "RARE_SHARE", "decode", "gbk_doubt"]
