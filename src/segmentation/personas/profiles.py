"""Profiles people can read: size, value, what sets each persona apart, a name, a paragraph,
risk tags and the recommended play.

"What sets a persona apart" is measured by standardised differences: for a numeric feature,
(persona mean - mean of all customers) / standard deviation of all customers, after
``log1p`` of heavy-tailed non-negative columns (as the model does); for a category level,
(share in the persona - share overall) / sqrt(p (1 - p)). Around 0.5 is a clear difference,
1 and more a strong one. Names are built from the strongest differences of the clustered
features; the paragraph reads the persona's medians against the whole base.

Examples
--------
>>> import pandas as pd
>>> f = pd.DataFrame({"avg_order_value": [100.0, 120, 90, 5000, 5200, 4800],
...                   "purchases_per_year": [12.0, 10, 11, 1, 2, 1],
...                   "revenue_t12m": [1200.0, 1200, 990, 5000, 10400, 4800],
...                   "size_band": pd.Categorical(["small"] * 3 + ["large"] * 3)})
>>> p = profile_personas(f, pd.Series([0, 0, 0, 1, 1, 1], index=f.index))
>>> p.table["name"].tolist()
['Small low-ticket customers', 'Large big-ticket customers']
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from segmentation.personas.features import STATE_FEATURES
from segmentation.personas.model import heavy_tailed
from segmentation.personas.playbook import Playbook

#: Words for a feature being clearly higher / lower than the base (None: no word), by the
#: part of a name they fill: who the customers are, what they are worth, how they work
#: with us. A persona's strongest product category becomes the noun ("hardware buyers").
WORDS = {
    "value": {
        "revenue_per_year": ("high-value", "low-value"),
        "revenue_t12m": ("high-value", "low-value"),
        "avg_order_value": ("big-ticket", "low-ticket"),
        "purchases_per_year": ("frequent", "occasional"),
    },
    "how": {
        "contacts_per_month": ("high-touch", "low-touch"),
        "proactive_share": ("outreach-led", "inbound-led"),
        "response_hours_median": ("slow-responding", "quick-responding"),
        "complaints": ("complaint-prone", None),
        "satisfaction_mean": ("satisfied", "dissatisfied"),
        "decision_chain_size": ("committee-buying", "single-decider"),
    },
}
_SIZE_WORDS = {"large": "large", "mid": "mid-size", "small": "small"}
#: Name words are taken from differences at least this large (in standard deviations).
NAME_THRESHOLD = 0.5


@dataclass(frozen=True)
class PersonaProfiles:
    """Profiles of the personas of one run.

    Attributes
    ----------
    table : DataFrame
        One row per persona: ``persona_id, name, customers, customer_share, revenue_share,
        revenue_change_90d, risk_tags, play, play_label, actions, stands_out, description``.
    medians : DataFrame
        Median of each numeric feature per persona, and over all customers (row ``"all"``).
    differences : DataFrame
        Standardised difference of each feature (and category level) per persona.
    notes : list of str
        Rules of the playbook that could not be checked, and why.
    """

    table: pd.DataFrame
    medians: pd.DataFrame
    differences: pd.DataFrame
    notes: list[str] = field(default_factory=list)

    def names(self) -> pd.Series:
        """Persona name by persona id."""
        return self.table.set_index("persona_id")["name"]


def standardised_differences(features: pd.DataFrame, personas: pd.Series) -> pd.DataFrame:
    """Standardised difference of every feature and category level, one row per persona.

    Examples
    --------
    >>> f = pd.DataFrame({"x": [1.0, 1.0, 3.0, 3.0]})
    >>> standardised_differences(f, pd.Series([0, 0, 1, 1]))["x"].round(2).tolist()
    [-0.87, 0.87]
    """
    numeric = features.select_dtypes("number").astype(float)
    logged = heavy_tailed(numeric)
    parts = []
    for name, values in numeric.items():
        if name in logged:
            values = np.log1p(values)
        spread = values.std()
        diff = (values.groupby(personas.to_numpy()).mean() - values.mean()) / (spread if spread > 0 else np.inf)
        parts.append(diff.rename(name))
    for name in features.columns.difference(numeric.columns, sort=False):
        dummies = pd.get_dummies(features[name].astype("string").fillna("unknown"), prefix=name, prefix_sep="=")
        overall = dummies.mean()
        spread = np.sqrt(overall * (1 - overall)).replace(0, np.inf)
        parts.append((dummies.groupby(personas.to_numpy()).mean() - overall) / spread)
    table = pd.concat(parts, axis=1) if parts else pd.DataFrame(index=np.unique(personas))
    table.index.name = "persona_id"
    return table.astype(float)


def _word(column: str, d: float) -> tuple[str, str] | None:
    """(part of the name, word) for a clear difference, or None."""
    high = d > 0
    if "=" in column:
        feature, level = column.split("=", 1)
        if not high or level == "unknown" or feature not in {"size_band", "industry"}:
            return None
        return "who", _SIZE_WORDS.get(level, level) if feature == "size_band" else level.replace("_", " ")
    if column.startswith("category_share_"):
        return ("noun", f"{column.removeprefix('category_share_').replace('_', ' ')} buyers") if high else None
    if column.startswith("channel_share_"):
        return ("how", f"{column.removeprefix('channel_share_').replace('_', ' ')}-contact") if high else None
    for part, words in WORDS.items():
        if column in words and words[column][0 if high else 1]:
            return part, words[column][0 if high else 1]
    return None


def _name_words(diffs: pd.Series) -> tuple[list[str], str]:
    """Name words (strongest of who, value, how; then the rest) and the noun."""
    order = (
        diffs.drop([c for c in diffs.index if c in STATE_FEATURES]).abs().sort_values(ascending=False, kind="stable")
    )
    firsts: dict[str, str] = {}
    rest: list[str] = []
    for column in order.index:
        if order[column] < NAME_THRESHOLD:
            break
        found = _word(column, diffs[column])
        if found is None:
            continue
        part, word = found
        if part not in firsts:
            firsts[part] = word
        elif word not in rest and word != firsts[part]:
            rest.append(word)
    noun = firsts.pop("noun", "customers")
    return [firsts[p] for p in ("who", "value", "how") if p in firsts] + [
        w for w in rest if not w.endswith(" buyers")
    ], noun


def _names(differences: pd.DataFrame) -> dict[int, str]:
    words = {pid: _name_words(differences.loc[pid]) for pid in differences.index}
    for used in (2, 3, 4):
        names = {pid: " ".join([*w[:used], noun]) for pid, (w, noun) in words.items()}
        if len(set(names.values())) == len(names):
            break
    out, seen = {}, set()
    for pid in differences.index:
        name = names[pid] if names[pid] != "customers" else "typical customers"
        name = name if name not in seen else f"{name} ({pid})"
        seen.add(name)
        out[pid] = name[0].upper() + name[1:]
    return out


def _mostly(features: pd.DataFrame, members: pd.Index, column: str) -> tuple[str, float] | None:
    if column not in features:
        return None
    shares = features.loc[members, column].astype("string").value_counts(normalize=True)
    if shares.empty or shares.index[0] == "unknown":
        return None
    return str(shares.index[0]), float(shares.iloc[0])


def _describe(features, members, row, med, base, currency) -> str:
    text = [
        f"{row['customers']:,} customers ({row['customer_share']:.0%} of customers, "
        f"{row['revenue_share']:.0%} of revenue)."
    ]
    size, industry = _mostly(features, members, "size_band"), _mostly(features, members, "industry")
    if size and industry and size[1] >= 0.4:
        where = (
            f" in {industry[0].replace('_', ' ')} ({industry[1]:.0%})" if industry[1] >= 0.3 else " in mixed industries"
        )
        text.append(f"Mostly {_SIZE_WORDS.get(size[0], size[0])} companies ({size[1]:.0%}){where}.")
    if "purchases_per_year" in med and "avg_order_value" in med:
        ratio = med["avg_order_value"] / base["avg_order_value"] if base["avg_order_value"] else np.nan
        text.append(
            f"They buy {med['purchases_per_year']:.1f} times a year; the median order is "
            f"{currency} {med['avg_order_value']:,.0f} ({ratio:.1f}x the typical customer's)."
        )
    change = row["revenue_change_90d"]
    if pd.notna(change) and abs(change) >= 0.05:
        text.append(
            f"Their revenue of the last 90 days {'rose' if change > 0 else 'fell'} {abs(change):.0%} "
            f"against the same 90 days a year before."
        )
    elif pd.notna(change):
        text.append("Their revenue of the last 90 days held level with the same 90 days a year before.")
    if "contacts_per_month" in med:
        rate = med["contacts_per_month"]
        part = (
            f"We contact them {rate:.1f} times a month"
            if rate >= 0.5
            else f"We contact them {12 * rate:.1f} times a year"
        )
        if "proactive_share" in med:
            part += f" ({med['proactive_share']:.0%} of contacts started by us)"
        if "response_hours_median" in med:
            part += f"; they reply in {med['response_hours_median']:.0f} hours (median)"
        text.append(part + ".")
    if "satisfaction_mean" in med:
        mean, everyone = features.loc[members, "satisfaction_mean"].mean(), features["satisfaction_mean"].mean()
        text.append(f"Satisfaction averages {mean:.1f} of 5 (all customers {everyone:.1f}).")
    shares = med[[c for c in med.index if c.startswith("category_share_")]]
    if len(shares) and shares.max() > 0:
        top = shares.idxmax()
        text.append(
            f"Most of their spend goes to {top.removeprefix('category_share_').replace('_', ' ')} ({shares.max():.0%})."
        )
    return " ".join(text)


def _stands_out(diffs: pd.Series, top: int) -> str:
    strongest = diffs.abs().sort_values(ascending=False, kind="stable").index[:top]
    return "; ".join(f"{c} {diffs[c]:+.1f} sd" for c in strongest if abs(diffs[c]) >= 0.2)


def profile_personas(
    features: pd.DataFrame,
    personas: pd.Series,
    *,
    playbook: Playbook | str | Path = "default",
    currency: str = "CNY",
    top: int = 5,
) -> PersonaProfiles:
    """Readable profiles of the personas of one run.

    Parameters
    ----------
    features : DataFrame
        Persona features (:func:`segmentation.personas.features.persona_features`), one
        row per customer; every column is profiled, clustered or not.
    personas : Series
        Persona id per customer, aligned with ``features`` (``PersonaModel.assign``).
    playbook : Playbook, str or Path, default "default"
        Risk-tag and play rules (preset name or YAML path).
    currency : str, default "CNY"
        Shown with order values.
    top : int, default 5
        Features listed in ``stands_out``.

    Returns
    -------
    PersonaProfiles
    """
    if len(features) != len(personas) or not features.index.equals(personas.index):
        raise ValueError("personas must have one value per row of features, with the same index")
    book = Playbook.coerce(playbook)
    personas = personas.astype(int)
    revenue_col = "revenue_t12m" if "revenue_t12m" in features else "revenue_per_year"
    revenue = features[revenue_col] if revenue_col in features else pd.Series(0.0, index=features.index)
    differences = standardised_differences(features, personas)
    numeric = features.select_dtypes("number")
    medians = numeric.groupby(personas.to_numpy()).median()
    medians.loc["all"] = numeric.median()
    names = _names(differences)
    total_revenue = revenue.sum()
    rows, notes = [], []
    # A feature no customer could be measured on (no contacts table: every reply time is the
    # neutral fill) says nothing; rules on it are skipped and named in the notes, not applied.
    unmeasured = {c for c, n in features.attrs.get("neutral_filled", {}).items() if n >= len(features) > 0}
    available = set(numeric.columns) - unmeasured
    for pid in differences.index:
        members = personas.index[personas.to_numpy() == pid]
        med, base = medians.loc[pid], medians.loc["all"]
        change = np.nan
        if {"revenue_last90", "revenue_last90_year_before"} <= available:
            prev = features.loc[members, "revenue_last90_year_before"].sum()
            change = features.loc[members, "revenue_last90"].sum() / prev - 1 if prev > 0 else np.nan
        row = {
            "persona_id": int(pid),
            "name": names[pid],
            "customers": len(members),
            "customer_share": len(members) / len(features),
            "revenue_share": revenue.loc[members].sum() / total_revenue if total_revenue > 0 else np.nan,
            "revenue_change_90d": change,
        }
        values: dict = {k: row[k] for k in ("customer_share", "revenue_share", "revenue_change_90d")}
        for c in available:
            values[c], values[("base", c)], values[("d", c)] = med[c], base[c], differences.loc[pid, c]
        tags, play, skipped = book.evaluate(values, available)
        notes.extend(n for n in skipped if n not in notes)
        row.update(
            risk_tags="; ".join(book.tags[t].label for t in tags),
            play=play.name,
            play_label=play.label,
            actions=play.text,
            stands_out=_stands_out(differences.loc[pid], top),
        )
        row["description"] = _describe(features, members, row, med, base, currency)
        rows.append(row)
    table = pd.DataFrame(rows)
    return PersonaProfiles(table=table, medians=medians, differences=differences, notes=notes)


__all__ = ["NAME_THRESHOLD", "PersonaProfiles", "WORDS", "profile_personas", "standardised_differences"]
