"""Plots of the model comparison on the holdout (:mod:`segmentation.btyd.choice`).

- :func:`plot_model_tracking`: cumulative repeat purchases of the cohort, made and predicted by
  each candidate, across calibration and holdout (``ModelComparison.tracking()``), the chosen one
  drawn thicker.

The plots of a single model's holdout check are in :mod:`segmentation.churn.plots`
(``plot_holdout_tracking``, ``plot_holdout_by_frequency``). Every function takes a computed table
and an optional ``ax``, draws, and returns the Axes; a keyword-only ``language`` (``"en"``,
``"zh"``, ``"zh_Hant"``) sets the words.

Examples
--------
>>> import matplotlib
>>> matplotlib.use("Agg")
>>> import pandas as pd
>>> tracking = pd.DataFrame({"period_end": pd.to_datetime(["2024-01-07", "2024-01-14"]), "t": [1.0, 2.0],
...                          "holdout": [False, True], "actual": [3.0, 7.0], "bgnbd": [2.5, 6.0], "pareto_nbd": [2.0, 5.0]})
>>> ax = plot_model_tracking(tracking, chosen="bgnbd", language="zh")
>>> [line.get_label() for line in ax.get_lines()]
['实际', 'BG/NBD（选用）', 'Pareto/NBD']
"""

from __future__ import annotations

import pandas as pd
from matplotlib.axes import Axes

from segmentation._plotting import axes_or_new
from segmentation.i18n import check_language, message

#: The models whose names the catalogue has (keys of :data:`segmentation.btyd.clv.MODELS`).
MODEL_KEYS = ("bgnbd", "mbgnbd", "pareto_nbd", "bgbb")
#: One colour per model, in every plot.
MODEL_COLORS = {"bgnbd": "#dd8452", "mbgnbd": "#55a868", "pareto_nbd": "#4c72b0", "bgbb": "#8172b3"}


def model_label(name: str, language: str = "en") -> str:
    """A model's name as readers know it ("Pareto/NBD"); a name of the caller's own is shown as it is.

    Examples
    --------
    >>> model_label("pareto_nbd"), model_label("mine")
    ('Pareto/NBD', 'mine')
    """
    return message(f"btyd.model.{name}", check_language(language)) if name in MODEL_KEYS else str(name)


def plot_model_tracking(
    tracking: pd.DataFrame,
    *,
    chosen: str | None = None,
    ax: Axes | None = None,
    language: str = "en",
    **kwargs,
) -> Axes:
    """Cumulative repeat purchases made (black) and predicted by each model (a line each); the holdout shaded.

    Parameters
    ----------
    tracking : DataFrame
        ``t``, ``holdout``, ``actual`` and one column per model (``ModelComparison.tracking()``).
    chosen : str, optional
        The model chosen, drawn thicker and marked in the legend.
    ax : Axes, optional
    language : {"en", "zh", "zh_Hant"}, default "en"
    **kwargs
        Passed to every ``ax.plot``.
    """
    language = check_language(language)
    ax = axes_or_new(ax, (7.0, 4.0))
    ax.plot(tracking["t"], tracking["actual"], color="black", label=message("btyd.plot.actual", language), **kwargs)
    models = [c for c in tracking.columns if c not in ("period_end", "t", "holdout", "actual")]
    for i, name in enumerate(models):
        label = model_label(name, language)
        if name == chosen:
            label = message("btyd.plot.chosen", language, model=label)
        style = {"linewidth": 2.4 if name == chosen else 1.3, "linestyle": "-" if name == chosen else "--"}
        color = MODEL_COLORS.get(name, f"C{i}")
        ax.plot(tracking["t"], tracking[name], color=color, label=label, **{**style, **kwargs})
    holdout = tracking.loc[tracking["holdout"], "t"]
    if len(holdout):
        ax.axvspan(
            holdout.min() - 1, holdout.max(), color="grey", alpha=0.12, label=message("btyd.plot.holdout", language)
        )
    ax.set(
        xlabel=message("btyd.plot.tracking_time", language),
        ylabel=message("btyd.plot.cumulative_repeat", language),
        title=message("btyd.plot.compared_title", language),
    )
    ax.legend()
    return ax


__all__ = ["MODEL_COLORS", "MODEL_KEYS", "model_label", "plot_model_tracking"]
