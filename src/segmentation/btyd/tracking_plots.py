"""One panel per candidate model: the cohort's repeat purchases made and predicted by each, side by side.

On one axes (:func:`~segmentation.btyd.plots.plot_model_tracking`) the candidates' curves often lie on
top of each other; :func:`plot_candidate_tracking` gives each its own panel, on a shared scale, with
the holdout shaded and the chosen one marked in its legend. It takes the computed table
(``ModelComparison.tracking()``), draws, and returns the Axes.

Examples
--------
>>> import matplotlib
>>> matplotlib.use("Agg")
>>> import pandas as pd
>>> tracking = pd.DataFrame({"period_end": pd.to_datetime(["2024-01-07", "2024-01-14"]), "t": [1.0, 2.0],
...                          "holdout": [False, True], "actual": [3.0, 7.0], "bgnbd": [2.5, 6.0], "pareto_nbd": [2.0, 5.0]})
>>> axes = plot_candidate_tracking(tracking, chosen="bgnbd", language="zh")
>>> [ax.get_title() for ax in axes], [line.get_label() for line in axes[0].get_lines()]
(['BG/NBD', 'Pareto/NBD'], ['实际', 'BG/NBD（选用）'])
"""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.axes import Axes

from segmentation._plotting import use_cjk_fallback
from segmentation.btyd.plots import model_label, plot_model_tracking
from segmentation.btyd.report import candidate_tracking
from segmentation.errors import WorkbenchError
from segmentation.i18n import check_language

_NOT_MODELS = ("period_end", "t", "holdout", "actual")


def plot_candidate_tracking(
    tracking: pd.DataFrame,
    *,
    chosen: str | None = None,
    axes: Sequence[Axes] | None = None,
    language: str = "en",
    **kwargs,
) -> np.ndarray:
    """Each model's tracking curve against the purchases made, one panel per model, titled by its name.

    Parameters
    ----------
    tracking : DataFrame
        ``t``, ``holdout``, ``actual`` and one column per model (``ModelComparison.tracking()``).
    chosen : str, optional
        The model chosen, drawn thicker and marked in its legend.
    axes : sequence of Axes, optional
        One per model; None: a new figure with a row of panels sharing the vertical scale.
    language : {"en", "zh", "zh_Hant"}, default "en"
    **kwargs
        Passed to every ``ax.plot``.

    Returns
    -------
    ndarray of Axes
    """
    language = check_language(language)
    models = [c for c in tracking.columns if c not in _NOT_MODELS]
    if axes is None:
        use_cjk_fallback()  # before the axes exist: their labels take the font family they are made with
        figure, grid = plt.subplots(
            1, len(models), figsize=(4.6 * len(models), 3.8), sharey=True, squeeze=False, layout="constrained"
        )
        axes = grid[0]
    axes = np.asarray(axes, dtype=object).ravel()
    if len(axes) != len(models):
        raise WorkbenchError(f"axes must hold one Axes per model ({len(models)}), got {len(axes)}")
    for ax, name in zip(axes, models, strict=True):
        plot_model_tracking(candidate_tracking(tracking, name), chosen=chosen, ax=ax, language=language, **kwargs)
        ax.set_title(model_label(name, language))
    return axes


__all__ = ["plot_candidate_tracking"]
