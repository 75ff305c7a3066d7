"""Plots of persona results: k selection, 2-D projection, profile heat map, feature bars.

Each function takes computed tables (``PersonaModel.k_scores_``,
:func:`segmentation.personas.analysis.persona_projection`, ``PersonaProfiles.differences``)
and an optional ``ax``, draws and returns the Axes. Persona colours are fixed by persona
id (:func:`persona_color`), so a persona keeps its colour across plots and quarters.

Examples
--------
>>> import matplotlib
>>> matplotlib.use("Agg")
>>> import pandas as pd
>>> scores = pd.DataFrame({"k": [3, 4, 5], "silhouette": [.2, .25, .3], "calinski_harabasz": [9., 8, 7],
...     "davies_bouldin": [1.5, 1.4, 1.2], "bic": [float("nan")] * 3, "stability": [.9, .95, .99],
...     "chosen": [False, False, True]})
>>> ax = plot_k_selection(scores)
>>> ax.get_xlabel()
'number of personas (k)'
>>> plot_k_selection(scores, language="zh").get_xlabel()
'画像数量（k）'

Every function takes a keyword-only ``language``; feature columns are shown in words
(:func:`~segmentation.personas.profiles.feature_label`: ``channel_share_event`` -> "share of contacts by event").
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.axes import Axes

from segmentation._plotting import axes_or_new
from segmentation.i18n import check_language, format_number, format_percent, message
from segmentation.personas.profiles import feature_label

_PALETTE = plt.get_cmap("tab10")
#: The k-selection scores drawn, in order (their names are the catalogue's ``personas.plot.score.<name>``).
_SCORES = ("silhouette", "calinski_harabasz", "davies_bouldin", "bic", "stability")
_LOWER_IS_BETTER = {"davies_bouldin", "bic"}


def persona_color(persona_id: int) -> tuple:
    """The colour of a persona, by id (tab10, repeating after 10)."""
    return _PALETTE(int(persona_id) % 10)


def plot_k_selection(k_scores: pd.DataFrame, *, ax: Axes | None = None, language: str = "en", **kwargs: object) -> Axes:
    """Every k-selection score against k, rescaled to [0, 1] with 1 = best, chosen k marked.

    Scores live on different scales (and for Davies-Bouldin and BIC lower is better), so each
    is min-max scaled and flipped where needed; the legend says which. ``kwargs`` go to
    ``ax.plot``.
    """
    language = check_language(language)
    ax = axes_or_new(ax)
    for name in _SCORES:
        label = message(f"personas.plot.score.{name}", language)
        values = k_scores.get(name)
        if values is None or values.isna().all():
            continue
        low, high = values.min(), values.max()
        scaled = (values - low) / (high - low) if high > low else values * 0 + 1.0
        if name in _LOWER_IS_BETTER:
            scaled = 1 - scaled
            label = message("personas.plot.flipped", language, score=label)
        ax.plot(k_scores["k"], scaled, marker="o", label=label, **kwargs)
    chosen = k_scores.loc[k_scores["chosen"], "k"] if "chosen" in k_scores else []
    for k in chosen:
        ax.axvline(k, color="black", linestyle="--", linewidth=1)
        ax.annotate(
            message("personas.plot.chosen_k", language, k=k),
            (k, 1.02),
            ha="center",
            va="bottom",
            xycoords=("data", "axes fraction"),
        )
    ax.set_xlabel(message("personas.plot.k_axis", language))
    ax.set_ylabel(message("personas.plot.score_axis", language))
    ax.set_xticks(k_scores["k"])
    ax.legend(fontsize="small", loc="lower left")
    return ax


def plot_persona_projection(
    projection: pd.DataFrame,
    *,
    names: pd.Series | None = None,
    ax: Axes | None = None,
    max_points: int = 5000,
    random_state: int = 0,
    language: str = "en",
    **kwargs: object,
) -> Axes:
    """Customers on the first two principal components of the prepared features.

    Parameters
    ----------
    projection : DataFrame
        ``pc1, pc2, persona_id`` per customer (:func:`~segmentation.personas.analysis.persona_projection`).
    names : Series, optional
        Persona name by id, for the legend.
    max_points : int, default 5000
        Points drawn at most (a seeded sample; the legend counts all customers).
    random_state : int, default 0
        Seed of that sample.
    """
    language = check_language(language)
    ax = axes_or_new(ax, (6.4, 5.0))
    shown = projection if len(projection) <= max_points else projection.sample(max_points, random_state=random_state)
    for pid in sorted(projection["persona_id"].unique()):
        part = shown.loc[shown["persona_id"] == pid]
        fallback = message("personas.plot.persona", language, id=pid)
        label = names.get(pid, fallback) if names is not None else fallback
        total = int((projection["persona_id"] == pid).sum())
        ax.scatter(
            part["pc1"],
            part["pc2"],
            s=6,
            alpha=0.6,
            color=persona_color(pid),
            label=message(
                "personas.plot.legend", language, id=pid, name=label, customers=format_number(total, language)
            ),
            **kwargs,
        )
    explained = projection.attrs.get("explained_variance_ratio")
    suffix = ["", ""]
    if explained is not None:
        suffix = [
            message("personas.plot.variance", language, share=format_percent(v, language, digits=0)) for v in explained
        ]
    ax.set_xlabel(message("personas.plot.pc1", language, variance=suffix[0]))
    ax.set_ylabel(message("personas.plot.pc2", language, variance=suffix[1]))
    ax.legend(fontsize="small", markerscale=3)
    return ax


def plot_profile_heatmap(
    differences: pd.DataFrame,
    *,
    names: pd.Series | None = None,
    max_features: int = 15,
    ax: Axes | None = None,
    language: str = "en",
    **kwargs: object,
) -> Axes:
    """Standardised differences (persona x feature), the features that differ most, red = higher.

    Columns are named in words (``channel_share_event`` -> "share of contacts by event").
    """
    language = check_language(language)
    ax = axes_or_new(ax, (10, 0.6 * len(differences) + 2.5))
    strongest = differences.abs().max().sort_values(ascending=False, kind="stable").index[:max_features]
    table = differences[strongest]
    limit = max(1.0, float(np.nanmax(np.abs(table.to_numpy()))) if table.size else 1.0)
    image = ax.imshow(table.to_numpy(), cmap="RdBu_r", vmin=-limit, vmax=limit, aspect="auto", **kwargs)
    shown = [feature_label(c, language) for c in strongest]
    ax.set_xticks(range(len(strongest)), shown, rotation=60, ha="right", fontsize="small")
    labels = [f"{pid}: {names.get(pid, '')}" if names is not None else str(pid) for pid in table.index]
    ax.set_yticks(range(len(table)), labels)
    for (i, j), value in np.ndenumerate(table.to_numpy()):
        ax.text(j, i, f"{value:+.1f}", ha="center", va="center", fontsize="x-small")
    ax.figure.colorbar(image, ax=ax, label=message("personas.plot.difference_sd", language))
    ax.set_title(message("personas.plot.heatmap_title", language))
    return ax


def plot_persona_features(
    differences: pd.DataFrame,
    persona_id: int,
    *,
    top: int = 10,
    name: str | None = None,
    ax: Axes | None = None,
    language: str = "en",
    **kwargs: object,
) -> Axes:
    """Horizontal bars of one persona's strongest standardised differences, features named in words."""
    language = check_language(language)
    ax = axes_or_new(ax)
    row = differences.loc[persona_id]
    strongest = row.abs().sort_values(ascending=False, kind="stable").index[:top][::-1]
    values = row[strongest]
    colors = ["#c0392b" if v > 0 else "#2471a3" for v in values]
    ax.barh(range(len(values)), values.to_numpy(), color=colors, **kwargs)
    ax.set_yticks(range(len(values)), [feature_label(c, language) for c in strongest])
    ax.axvline(0, color="black", linewidth=0.8)
    ax.set_xlabel(message("personas.plot.difference_axis", language))
    if name:
        ax.set_title(message("personas.plot.persona_title_named", language, id=persona_id, name=name))
    else:
        ax.set_title(message("personas.plot.persona_title", language, id=persona_id))
    return ax


__all__ = [
    "persona_color",
    "plot_k_selection",
    "plot_persona_features",
    "plot_persona_projection",
    "plot_profile_heatmap",
]
