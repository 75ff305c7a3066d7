"""Helpers shared by the plot modules of every stage: the house colours, the fonts and the Axes to draw on.

Private to the package: each stage's ``plots`` module imports these, no computation module does.

Fonts: matplotlib's default font (DejaVu Sans) has no Chinese, Japanese or Korean glyph, so a tier
named 重点客户 would be drawn as empty boxes. Importing this module registers Noto Sans SC, which
the package ``pylopdf-fonts-zh-cn`` installs with the workbench (SIL Open Font License 1.1; it covers
Simplified and Traditional Chinese), and appends it to matplotlib's font family list as a fallback:
Latin text keeps the default font and any glyph that font lacks is taken from Noto Sans SC
(matplotlib >= 3.6 falls back per glyph along ``font.family``). Nothing needs to be installed on
the system. Every plot function starts with :func:`axes_or_new`, which sets the fallback again if
the user has reset matplotlib's settings since.

Examples
--------
>>> tier_color("S")
'#5b2a86'
>>> use_cjk_fallback()
'Noto Sans SC'
>>> matplotlib.rcParams["font.family"][-1]
'Noto Sans SC'
"""

from __future__ import annotations

import functools
import warnings
from pathlib import Path

import matplotlib
import matplotlib.pyplot as plt
from matplotlib import font_manager
from matplotlib.axes import Axes

__all__ = ["CJK_FAMILY", "TIER_COLORS", "axes_or_new", "cjk_font_path", "tier_color", "use_cjk_fallback"]

#: One colour per tier name, used by every plot (S/A/B/C, top to bottom).
TIER_COLORS = {"S": "#5b2a86", "A": "#1f5fa8", "B": "#4fa3d1", "C": "#b8c4cc"}
_FALLBACK = plt.get_cmap("tab10")
#: The family name of the CJK font the plots fall back to.
CJK_FAMILY = "Noto Sans SC"


def tier_color(tier: str, i: int = 0) -> str:
    """The house colour of a tier (a tab10 colour for names outside S/A/B/C)."""
    return TIER_COLORS.get(str(tier), _FALLBACK(i % 10))


@functools.cache
def cjk_font_path() -> Path | None:
    """The Noto Sans SC font file installed with the workbench, registered with matplotlib (None if missing).

    Examples
    --------
    >>> cjk_font_path().name
    'NotoSansSC-Regular.otf'
    """
    try:
        from pylopdf_fonts_zh_cn import sans_path
    except ImportError:
        path = None
    else:
        path = Path(sans_path())
    if path is None or not path.is_file():
        warnings.warn(
            "the font package pylopdf-fonts-zh-cn is not installed: Chinese labels in charts will show as "
            "empty boxes; install it with `pip install pylopdf-fonts-zh-cn` (it is a dependency of the workbench)",
            stacklevel=3,
        )
        return None
    font_manager.fontManager.addfont(str(path))
    return path


def use_cjk_fallback() -> str | None:
    """Append the CJK font to matplotlib's ``font.family`` list, once; returns its family name.

    The families already listed (by default the generic ``sans-serif``, i.e. DejaVu Sans) stay
    first, so Latin text looks as before; matplotlib takes a glyph from the next family in the
    list only when the earlier ones lack it. Returns None (and warns once) when the font is missing.
    """
    if cjk_font_path() is None:
        return None
    family = matplotlib.rcParams["font.family"]
    family = [family] if isinstance(family, str) else list(family)
    if CJK_FAMILY not in family:
        matplotlib.rcParams["font.family"] = [*family, CJK_FAMILY]
    return CJK_FAMILY


def axes_or_new(ax: Axes | None, size: tuple[float, float] = (6.4, 4.0)) -> Axes:
    """``ax``, or the Axes of a new figure of ``size`` inches when ``ax`` is None.

    Also makes sure the CJK fallback font is in place (:func:`use_cjk_fallback`) before the plot
    creates its labels.
    """
    use_cjk_fallback()
    return ax if ax is not None else plt.subplots(figsize=size)[1]


use_cjk_fallback()
