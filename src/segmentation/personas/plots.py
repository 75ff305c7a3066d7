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
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.axes import Axes

from segmentation._plotting import axes_or_new

_PALETTE = plt.get_cmap("tab10")
_LABELS = {
    "silhouette": "silhouette",
    "calinski_harabasz": "Calinski-Harabasz",
    "davies_bouldin": "Davies-Bouldin",
    "bic": "BIC",
    "stability": "stability (bootstrap ARI)",
}
_LOWER_IS_BETTER = {"davies_bouldin", "bic"}


def persona_color(persona_id: int) -> tuple:
    """The colour of a persona, by id (tab10, repeating after 10)."""
    return _PALETTE(int(persona_id) % 10)


def plot_k_selection(k_scores: pd.DataFrame, *, ax: Axes | None = None, **kwargs: object) -> Axes:
    """Every k-selection score against k, rescaled to [0, 1] with 1 = best, chosen k marked.

    Scores live on different scales (and for Davies-Bouldin and BIC lower is better), so each
    is min-max scaled and flipped where needed; the legend says which. ``kwargs`` go to
    ``ax.plot``.
    """
    ax = axes_or_new(ax)
    for name, label in _LABELS.items():
        values = k_scores.get(name)
        if values is None or values.isna().all():
            continue
        low, high = values.min(), values.max()
        scaled = (values - low) / (high - low) if high > low else values * 0 + 1.0
        if name in _LOWER_IS_BETTER:
            scaled = 1 - scaled
            label += " (lower is better, flipped)"
        ax.plot(k_scores["k"], scaled, marker="o", label=label, **kwargs)
    chosen = k_scores.loc[k_scores["chosen"], "k"] if "chosen" in k_scores else []
    for k in chosen:
        ax.axvline(k, color="black", linestyle="--", linewidth=1)
        ax.annotate(f"chosen k = {k}", (k, 1.02), ha="center", va="bottom", xycoords=("data", "axes fraction"))
    ax.set_xlabel("number of personas (k)")
    ax.set_ylabel("score, scaled (1 = best of the k tried)")
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
    ax = axes_or_new(ax, (6.4, 5.0))
    shown = projection if len(projection) <= max_points else projection.sample(max_points, random_state=random_state)
    for pid in sorted(projection["persona_id"].unique()):
        part = shown.loc[shown["persona_id"] == pid]
        label = names.get(pid, f"persona {pid}") if names is not None else f"persona {pid}"
        total = int((projection["persona_id"] == pid).sum())
        ax.scatter(
            part["pc1"],
            part["pc2"],
            s=6,
            alpha=0.6,
            color=persona_color(pid),
            label=f"{pid}: {label} ({total:,})",
            **kwargs,
        )
    explained = projection.attrs.get("explained_variance_ratio")
    suffix = [f" ({v:.0%} of variance)" for v in explained] if explained is not None else ["", ""]
    ax.set_xlabel(f"first principal component{suffix[0]}")
    ax.set_ylabel(f"second principal component{suffix[1]}")
    ax.legend(fontsize="small", markerscale=3)
    return ax


def plot_profile_heatmap(
    differences: pd.DataFrame,
    *,
    names: pd.Series | None = None,
    max_features: int = 15,
    ax: Axes | None = None,
    **kwargs: object,
) -> Axes:
    """Standardised differences (persona x feature), the features that differ most, red = higher."""
    ax = axes_or_new(ax, (10, 0.6 * len(differences) + 2.5))
    strongest = differences.abs().max().sort_values(ascending=False, kind="stable").index[:max_features]
    table = differences[strongest]
    limit = max(1.0, float(np.nanmax(np.abs(table.to_numpy()))) if table.size else 1.0)
    image = ax.imshow(table.to_numpy(), cmap="RdBu_r", vmin=-limit, vmax=limit, aspect="auto", **kwargs)
    ax.set_xticks(range(len(strongest)), strongest, rotation=60, ha="right", fontsize="small")
    labels = [f"{pid}: {names.get(pid, '')}" if names is not None else str(pid) for pid in table.index]
    ax.set_yticks(range(len(table)), labels)
    for (i, j), value in np.ndenumerate(table.to_numpy()):
        ax.text(j, i, f"{value:+.1f}", ha="center", va="center", fontsize="x-small")
    ax.figure.colorbar(image, ax=ax, label="standardised difference (sd)")
    ax.set_title("What sets each persona apart")
    return ax


def plot_persona_features(
    differences: pd.DataFrame,
    persona_id: int,
    *,
    top: int = 10,
    name: str | None = None,
    ax: Axes | None = None,
    **kwargs: object,
) -> Axes:
    """Horizontal bars of one persona's strongest standardised differences."""
    ax = axes_or_new(ax)
    row = differences.loc[persona_id]
    strongest = row.abs().sort_values(ascending=False, kind="stable").index[:top][::-1]
    values = row[strongest]
    colors = ["#c0392b" if v > 0 else "#2471a3" for v in values]
    ax.barh(range(len(values)), values.to_numpy(), color=colors, **kwargs)
    ax.set_yticks(range(len(values)), strongest)
    ax.axvline(0, color="black", linewidth=0.8)
    ax.set_xlabel("difference from all customers (standard deviations)")
    ax.set_title(f"Persona {persona_id}" + (f": {name}" if name else ""))
    return ax


__all__ = [
    "persona_color",
    "plot_k_selection",
    "plot_persona_features",
    "plot_persona_projection",
    "plot_profile_heatmap",
]
