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
>>> profile_personas(f, pd.Series([0, 0, 0, 1, 1, 1], index=f.index), language="zh").table["name"].tolist()
['小型、小单的客户', '大型、大单的客户']

Every word comes from the ``personas`` message catalogue in the ``language`` asked for; a
customer's own values (an industry, a product category) are shown as the data gives them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from segmentation.i18n import check_language, format_money, format_number, format_percent, message, value_word
from segmentation.personas.features import PERSONA_FEATURES, STATE_FEATURES
from segmentation.personas.model import heavy_tailed
from segmentation.personas.playbook import Playbook

#: Words for a feature being clearly higher / lower than the base (None: no word), by the
#: part of a name they fill: who the customers are, what they are worth, how they work
#: with us. A persona's strongest product category becomes the noun ("hardware buyers").
#: These are the English words; every language's are the catalogue's ``personas.word.<feature>``.
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
_SIZES = ("large", "mid", "small")
_CHANNELS = ("phone", "visit", "email", "online_meeting", "sms_chat", "chat", "event", "other")
_ATTRIBUTES = ("size_band", "industry", "region")
_NAMED = (*PERSONA_FEATURES, "decision_chain_size")
#: Name words are taken from differences at least this large (in standard deviations).
NAME_THRESHOLD = 0.5


def _size(level: str, language: str) -> str:
    return message(f"personas.size.{level}", language) if level in _SIZES else level


def _channel(level: str, language: str) -> str:
    return message(f"personas.channel.{level}", language) if level in _CHANNELS else level.replace("_", " ")


def feature_label(column: str, language: str = "en") -> str:
    """A persona feature column in words: ``channel_share_event`` -> "share of contacts by event".

    Knows the persona features, the ``category_share_<c>`` and ``channel_share_<c>`` columns and the
    category levels of :func:`standardised_differences` (``size_band=small`` -> "size: small"); any
    other column is returned as it is.

    Examples
    --------
    >>> feature_label("channel_share_event"), feature_label("channel_share_event", "zh")
    ('share of contacts by event', '活动联系占比')
    >>> feature_label("size_band=small", "zh"), feature_label("category_share_耗材", "zh")
    ('规模：小型', '耗材消费占比')
    """
    language = check_language(language)
    if "=" in column:
        feature, level = column.split("=", 1)
        if feature == "size_band":
            return message("personas.feature.size_band", language, level=_size(level, language))
        if feature in ("industry", "region"):
            key = "personas.feature.industry" if feature == "industry" else "personas.feature.region"
            return message(key, language, level=value_word(feature, level, language))
        return message("personas.feature.other_level", language, feature=feature_label(feature, language), level=level)
    if column.startswith("category_share_"):
        category = value_word("category", column.removeprefix("category_share_"), language)
        return message("personas.feature.category_share", language, category=category)
    if column.startswith("channel_share_"):
        channel = _channel(column.removeprefix("channel_share_"), language)
        return message("personas.feature.channel_share", language, channel=channel)
    return message(f"personas.feature.{column}", language) if column in _NAMED else column


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


def _word(column: str, d: float, language: str) -> tuple[str, str] | None:
    """(part of the name, word) for a clear difference, or None."""
    high = d > 0
    if "=" in column:
        feature, level = column.split("=", 1)
        if not high or level == "unknown" or feature not in {"size_band", "industry"}:
            return None
        return "who", _size(level, language) if feature == "size_band" else value_word("industry", level, language)
    if column.startswith("category_share_"):
        category = value_word("category", column.removeprefix("category_share_"), language)
        return ("noun", message("personas.name.buyers", language, category=category)) if high else None
    if column.startswith("channel_share_"):
        channel = _channel(column.removeprefix("channel_share_"), language)
        return ("how", message("personas.name.channel", language, channel=channel)) if high else None
    for part, words in WORDS.items():
        if column in words and words[column][0 if high else 1]:
            return part, message(f"personas.word.{column}.{'high' if high else 'low'}", language)
    return None


def _name_words(diffs: pd.Series, language: str) -> tuple[list[str], str]:
    """Name words (strongest of who, value, how; then the rest) and the noun."""
    order = (
        diffs.drop([c for c in diffs.index if c in STATE_FEATURES]).abs().sort_values(ascending=False, kind="stable")
    )
    firsts: dict[str, str] = {}
    rest: list[str] = []
    for column in order.index:
        if order[column] < NAME_THRESHOLD:
            break
        found = _word(column, diffs[column], language)
        if found is None:
            continue
        part, word = found
        if part not in firsts:
            firsts[part] = word
        elif part != "noun" and word not in rest and word != firsts[part]:
            rest.append(word)
    noun = firsts.pop("noun", message("personas.name.customers", language))
    return [firsts[p] for p in ("who", "value", "how") if p in firsts] + rest, noun


def _names(differences: pd.DataFrame, language: str) -> dict[int, str]:
    words = {pid: _name_words(differences.loc[pid], language) for pid in differences.index}
    joiner = message("personas.name.joiner", language)

    def name(w: list[str], noun: str) -> str:
        return message("personas.name.with_words", language, words=joiner.join(w), noun=noun) if w else noun

    for used in (2, 3, 4):
        names = {pid: name(w[:used], noun) for pid, (w, noun) in words.items()}
        if len(set(names.values())) == len(names):
            break
    out, seen = {}, set()
    bare = message("personas.name.customers", language)
    for pid in differences.index:
        found = names[pid] if names[pid] != bare else message("personas.name.typical", language)
        found = found if found not in seen else f"{found} ({pid})"
        seen.add(found)
        out[pid] = found[0].upper() + found[1:] if language == "en" else found  # a sentence-case name
    return out


def _mostly(features: pd.DataFrame, members: pd.Index, column: str) -> tuple[str, float] | None:
    if column not in features:
        return None
    shares = features.loc[members, column].astype("string").value_counts(normalize=True)
    if shares.empty or shares.index[0] == "unknown":
        return None
    return str(shares.index[0]), float(shares.iloc[0])


def _describe(features, members, row, med, base, currency, language) -> str:
    def pct(x: float) -> str:
        return format_percent(x, language, digits=0)

    def num(x: float, digits: int = 1) -> str:
        return format_number(x, language, digits=digits)

    text = [
        message(
            "personas.description.size",
            language,
            count=row["customers"],
            n=format_number(row["customers"], language),
            customer_share=pct(row["customer_share"]),
            revenue_share=pct(row["revenue_share"]),
        )
    ]
    size, industry = _mostly(features, members, "size_band"), _mostly(features, members, "industry")
    if size and industry and size[1] >= 0.4:
        if industry[1] >= 0.3:
            where = message(
                "personas.description.in_industry",
                language,
                industry=value_word("industry", industry[0], language),
                share=pct(industry[1]),
            )
        else:
            where = message("personas.description.mixed_industries", language)
        text.append(
            message(
                "personas.description.mostly", language, size=_size(size[0], language), share=pct(size[1]), where=where
            )
        )
    # One unit for every rate of the paragraph: per month when the persona buys and is contacted at
    # least monthly, per year otherwise ("1.0 times a year" beside "0.6 times a month" misleads).
    rates = [
        med[c] / 12 if c == "purchases_per_year" else med[c]
        for c in ("purchases_per_year", "contacts_per_month")
        if c in med
    ]
    monthly = bool(rates) and min(rates) >= 1
    if "purchases_per_year" in med and "avg_order_value" in med:
        ratio = med["avg_order_value"] / base["avg_order_value"] if base["avg_order_value"] else np.nan
        if language == "en":
            amount = f"{currency} {format_number(med['avg_order_value'], language)}"
        else:
            amount = format_money(med["avg_order_value"], language, currency=currency)
        purchases = med["purchases_per_year"] / 12 if monthly else med["purchases_per_year"]
        key = "personas.description.buying_month" if monthly else "personas.description.buying_year"
        text.append(message(key, language, purchases=num(purchases), amount=amount, ratio=num(ratio)))
    change = row["revenue_change_90d"]
    if pd.notna(change) and abs(change) >= 0.05:
        key = "personas.description.revenue_rose" if change > 0 else "personas.description.revenue_fell"
        text.append(message(key, language, change=pct(abs(change))))
    elif pd.notna(change):
        text.append(message("personas.description.revenue_level", language))
    if "contacts_per_month" in med:
        rate = med["contacts_per_month"]
        if monthly:
            part = message("personas.description.contact_month", language, contacts=num(rate))
        else:
            part = message("personas.description.contact_year", language, contacts=num(12 * rate))
        if "proactive_share" in med:
            part += message("personas.description.proactive", language, share=pct(med["proactive_share"]))
        if "response_hours_median" in med:
            part += message("personas.description.reply", language, hours=num(med["response_hours_median"], 0))
        text.append(part + message("personas.description.end", language))
    if "satisfaction_mean" in med:
        mean, everyone = features.loc[members, "satisfaction_mean"].mean(), features["satisfaction_mean"].mean()
        text.append(message("personas.description.satisfaction", language, mean=num(mean), everyone=num(everyone)))
    shares = med[[c for c in med.index if c.startswith("category_share_")]]
    if len(shares) and shares.max() > 0:
        top = shares.idxmax()
        category = value_word("category", top.removeprefix("category_share_"), language)
        text.append(message("personas.description.spend", language, category=category, share=pct(shares.max())))
    return message("personas.description.joiner", language).join(text)


def _stands_out(diffs: pd.Series, top: int, language: str) -> str:
    strongest = diffs.abs().sort_values(ascending=False, kind="stable").index[:top]
    return message("personas.list_separator", language).join(
        message(
            "personas.feature.standing_out",
            language,
            feature=feature_label(c, language),
            difference=f"{diffs[c]:+.1f}",
        )
        for c in strongest
        if abs(diffs[c]) >= 0.2
    )


def profile_personas(
    features: pd.DataFrame,
    personas: pd.Series,
    *,
    playbook: Playbook | str | Path = "default",
    currency: str = "CNY",
    top: int = 5,
    language: str = "en",
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
    language : str, default "en"
        The language of the names, descriptions, risk tags, plays and notes (``"zh"``:
        "小型、小单的耗材采购客户", money as ``¥3,464``).

    Returns
    -------
    PersonaProfiles
    """
    if len(features) != len(personas) or not features.index.equals(personas.index):
        raise ValueError("personas must have one value per row of features, with the same index")
    language = check_language(language)
    book = Playbook.coerce(playbook)
    personas = personas.astype(int)
    revenue_col = "revenue_t12m" if "revenue_t12m" in features else "revenue_per_year"
    revenue = features[revenue_col] if revenue_col in features else pd.Series(0.0, index=features.index)
    differences = standardised_differences(features, personas)
    numeric = features.select_dtypes("number")
    medians = numeric.groupby(personas.to_numpy()).median()
    medians.loc["all"] = numeric.median()
    names = _names(differences, language)
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
        tags, play, skipped = book.evaluate(values, available, language=language, feature_words=feature_label)
        notes.extend(n for n in skipped if n not in notes)
        row.update(
            risk_tags=message("personas.list_separator", language).join(book.tags[t].label_in(language) for t in tags),
            play=play.name,
            play_label=play.label_in(language),
            actions=play.text_in(language),
            stands_out=_stands_out(differences.loc[pid], top, language),
        )
        row["description"] = _describe(features, members, row, med, base, currency, language)
        rows.append(row)
    table = pd.DataFrame(rows)
    return PersonaProfiles(table=table, medians=medians, differences=differences, notes=notes)


__all__ = [
    "NAME_THRESHOLD",
    "PersonaProfiles",
    "WORDS",
    "feature_label",
    "profile_personas",
    "standardised_differences",
]
