"""How good is a churn score: ranking, probability and top-of-list measures, and a calibration table.

A score ranks customers (higher = more likely to churn); a probability is also judged on its
level. :func:`score_metrics` gives, for one set of labels:

- ``roc_auc`` and ``pr_auc`` (average precision) of the ranking;
- ``brier`` and ``log_loss`` of the probabilities (clipped to [1e-6, 1 - 1e-6]);
- ``lift_10``, ``capture_10``, ``lift_20``, ``capture_20``: in the top 10% / 20% of the list,
  the churn rate divided by the overall rate, and the share of all churners caught.

Customers with the same score at the edge of the top share are counted in proportion (the
expected result of breaking the tie at random), so a coarse score such as "bought last
quarter or not" is not flattered or punished by the order of the rows.

Examples
--------
>>> import numpy as np
>>> y = np.array([1, 1, 0, 0, 0, 0, 0, 0, 0, 0])
>>> s = np.array([.9, .8, .7, .1, .1, .1, .1, .1, .1, .1])
>>> m = score_metrics(y, s)
>>> m["roc_auc"], m["capture_10"], m["lift_20"]
(1.0, 0.5, 5.0)
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.metrics import (
    average_precision_score,
    brier_score_loss,
    log_loss,
    precision_recall_curve,
    roc_auc_score,
    roc_curve,
)

EPS = 1e-6
TOP_SHARES = (0.10, 0.20)


def top_share_capture(y_true, score, share: float | np.ndarray) -> float | np.ndarray:
    """Share of all positives among the top ``share`` of rows by score, ties broken in proportion.

    ``share`` may be one number or an array of them. Rows are taken best score first, one
    group of equal scores at a time; a group only partly inside the top share counts with the
    same part of its positives, i.e. the cumulative curve is interpolated within the group.

    Examples
    --------
    >>> top_share_capture([1, 0, 1, 0], [1, 1, 0, 0], 0.25)  # one of two tied rows: half of a churner
    0.25
    """
    y = np.asarray(y_true, dtype=float)
    shares = np.asarray(share, dtype=float)
    if not ((shares > 0) & (shares <= 1)).all():
        raise ValueError(f"share must be in (0, 1], got {share!r}")
    if y.sum() == 0:
        result = np.full(shares.shape, np.nan)
        return float(result) if result.ndim == 0 else result
    groups = pd.DataFrame({"s": np.asarray(score, dtype=float), "y": y}).groupby("s")["y"].agg(["size", "sum"])
    groups = groups.iloc[::-1]  # best score first
    rows = np.r_[0.0, groups["size"].cumsum().to_numpy(dtype=float)]
    caught = np.r_[0.0, groups["sum"].cumsum().to_numpy(dtype=float)]
    result = np.interp(shares * len(y), rows, caught) / y.sum()
    return float(result) if result.ndim == 0 else result


def score_metrics(y_true, score, probability=None) -> dict[str, float]:
    """Ranking, probability and top-of-list measures of one score (see the module docstring).

    Parameters
    ----------
    y_true : array of bool or 0/1
        True = churned.
    score : array of float
        Higher = riskier.
    probability : array of float, optional
        Calibrated probability for the Brier score and log loss; ``score`` when not given.
    """
    y = np.asarray(y_true, dtype=float)
    s = np.asarray(score, dtype=float)
    p = s if probability is None else np.asarray(probability, dtype=float)
    p = np.clip(p, EPS, 1 - EPS)
    two_classes = 0 < y.sum() < len(y)
    out = {
        "customers": float(len(y)),
        "churn_rate": float(y.mean()) if len(y) else float("nan"),
        "roc_auc": float(roc_auc_score(y, s)) if two_classes else float("nan"),
        "pr_auc": float(average_precision_score(y, s)) if two_classes else float("nan"),
        "brier": float(brier_score_loss(y, p)) if len(y) else float("nan"),
        "log_loss": float(log_loss(y, p, labels=[0, 1])) if len(y) else float("nan"),
    }
    for share in TOP_SHARES:
        capture = top_share_capture(y, s, share)
        pct = round(share * 100)
        out[f"lift_{pct}"] = capture / share
        out[f"capture_{pct}"] = capture
    return out


def calibration_table(y_true, probability, *, bins: int = 10) -> pd.DataFrame:
    """Predicted against observed churn per probability bin of equal width.

    Returns
    -------
    DataFrame
        One row per non-empty bin: ``bin`` (e.g. "0.1-0.2"), ``customers``,
        ``mean_predicted``, ``observed_rate``.

    Examples
    --------
    >>> calibration_table([0, 1, 1, 0], [0.05, 0.95, 0.85, 0.15], bins=2)["observed_rate"].tolist()
    [0.0, 1.0]
    """
    y = np.asarray(y_true, dtype=float)
    p = np.clip(np.asarray(probability, dtype=float), 0, 1)
    edges = np.linspace(0, 1, bins + 1)
    which = np.clip(np.digitize(p, edges[1:-1], right=False), 0, bins - 1)
    frame = pd.DataFrame({"bin": which, "p": p, "y": y})
    table = frame.groupby("bin").agg(customers=("y", "size"), mean_predicted=("p", "mean"), observed_rate=("y", "mean"))
    labels = [f"{edges[i]:.1f}-{edges[i + 1]:.1f}" for i in table.index]
    return table.reset_index(drop=True).assign(bin=labels)[["bin", "customers", "mean_predicted", "observed_rate"]]


def gains_curve(y_true, score, *, points: int = 20) -> pd.DataFrame:
    """Cumulative share of churners caught against the share of customers called, best first.

    Returns ``share_called``, ``share_caught`` and ``lift`` at ``points`` equal steps (ties in
    proportion, as in :func:`top_share_capture`).
    """
    shares = np.linspace(1 / points, 1, points)
    caught = top_share_capture(y_true, score, shares)
    return pd.DataFrame({"share_called": shares, "share_caught": caught, "lift": np.asarray(caught) / shares})


def roc_pr_curves(y_true, scores: pd.DataFrame) -> pd.DataFrame:
    """ROC and precision-recall curves of several scores (one column each) against the same labels.

    Returns a long table: ``scorer``, ``curve`` ("roc" or "pr"), ``x`` (false positive rate or
    recall) and ``y`` (true positive rate or precision).
    """
    y = np.asarray(y_true, dtype=int)
    parts = []
    for name in scores.columns:
        s = scores[name].to_numpy(dtype=float)
        fpr, tpr, _ = roc_curve(y, s)
        precision, recall, _ = precision_recall_curve(y, s)
        parts.append(pd.DataFrame({"scorer": name, "curve": "roc", "x": fpr, "y": tpr}))
        parts.append(pd.DataFrame({"scorer": name, "curve": "pr", "x": recall[::-1], "y": precision[::-1]}))
    return pd.concat(parts, ignore_index=True)


__all__ = ["TOP_SHARES", "calibration_table", "gains_curve", "roc_pr_curves", "score_metrics", "top_share_capture"]
