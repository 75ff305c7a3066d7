"""Helpers shared by the plot modules of every stage: the house colours and the Axes to draw on.

Private to the package: each stage's ``plots`` module imports these, no computation module does.

Examples
--------
>>> tier_color("S")
'#5b2a86'
"""

from __future__ import annotations

import matplotlib.pyplot as plt
from matplotlib.axes import Axes

__all__ = ["TIER_COLORS", "axes_or_new", "tier_color"]

#: One colour per tier name, used by every plot (S/A/B/C, top to bottom).
TIER_COLORS = {"S": "#5b2a86", "A": "#1f5fa8", "B": "#4fa3d1", "C": "#b8c4cc"}
_FALLBACK = plt.get_cmap("tab10")


def tier_color(tier: str, i: int = 0) -> str:
    """The house colour of a tier (a tab10 colour for names outside S/A/B/C)."""
    return TIER_COLORS.get(str(tier), _FALLBACK(i % 10))


def axes_or_new(ax: Axes | None, size: tuple[float, float] = (6.4, 4.0)) -> Axes:
    """``ax``, or the Axes of a new figure of ``size`` inches when ``ax`` is None."""
    return ax if ax is not None else plt.subplots(figsize=size)[1]
