"""The quarterly review: every table the quarter-end report shows, computed in one call.

Domain brief section 4: KPIs per tier against targets, new customers, churn, revenue, the
customer-growth trend, the tier distribution, the tier migration with the reasons behind the
moves, churn reasons, overdue contacts (section 3), the top at-risk customers with reasons
and value at risk, and the persona summary. A part that cannot be computed (a table the team
does not keep, too little history) is left empty and :attr:`QuarterlyReview.notes` says which
and why; the rest is computed.

Examples
--------
>>> from segmentation.datasets.sample import generate_sample
>>> from segmentation.data.dataset import Dataset
>>> t = generate_sample(150, random_state=1)
>>> ds = Dataset.from_frames(**{k: v for k, v in t.items() if k != "truth"})
>>> r = review_quarter(ds, quarter="2025Q3", churn=False, personas=False)
>>> sorted(r.tables())[:4]
['churn_reasons', 'contact_summary', 'customer_growth', 'kpis']
>>> r.notes
['Churn risk: not computed in this run (churn=False).', 'Personas: not computed in this run (personas=False).']
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from segmentation.churn.features import features_once
from segmentation.churn.reasons import SIGNALS
from segmentation.data.dataset import Dataset
from segmentation.data.privacy import mask_personal
from segmentation.errors import WorkbenchError
from segmentation.i18n import message, resolve_language
from segmentation.periods import Quarter
from segmentation.periods import quarter as parse_quarter
from segmentation.review.contact_policy import ContactCheck, overdue_contacts
from segmentation.review.kpis import kpi_scorecard, quarterly_kpis
from segmentation.review.service_levels import ServiceLevels
from segmentation.review.trends import churn_reason_counts, customer_growth, tier_distribution
from segmentation.review.words import amount, day, number, percent
from segmentation.value.regrading import MOVES, Regrading, regrade
from segmentation.value.tiers import TierPolicy

PERSONA_COLUMNS = [
    "persona_id",
    "name",
    "customers",
    "customer_share",
    "revenue_share",
    "revenue_change_90d",
    "risk_tags",
    "play",
    "play_label",
    "description",
]


@dataclass
class QuarterlyReview:
    """The result of :func:`review_quarter`; each attribute is a table of the report.

    Attributes
    ----------
    quarter : Quarter
    policy : TierPolicy
    service : ServiceLevels
    kpis : DataFrame
        :func:`~segmentation.review.kpis.quarterly_kpis`; ``scorecard`` is its tier-by-KPI grid.
    tiers : DataFrame
        :func:`~segmentation.review.trends.tier_distribution` at the quarter end.
    growth : DataFrame
        :func:`~segmentation.review.trends.customer_growth` over the last quarters.
    regrading : Regrading
        Tier moves from the previous quarter end (matrix and one reason per move); customers
        without a purchase in ``active_days`` are ``inactive`` (a row and a column of the
        matrix), so its tier columns count the customers :attr:`tiers` counts.
    churn_reasons : DataFrame
        Recorded reasons of lost customers.
    contacts : ContactCheck
        Overdue contacts against each tier's contact policy.
    risk : DataFrame or None
        The top at-risk customers (by value at risk) with their reasons.
    risk_signals : DataFrame or None
        How often each warning signal is a reason among the high-risk customers.
    risk_by_band : DataFrame or None
        Customers and value at risk per risk band (all scored customers, not only the top).
    personas : DataFrame or None
        The persona summary.
    notes : list of str
        What could not be computed, and why.
    active_days : int
        A customer is active with a purchase in this many days.
    language : str
        The language of every sentence the review writes (en, zh or zh_Hant): notes, headline,
        populations, move words and headings. The tables keep their codes (a machine interface).
    """

    quarter: Quarter
    policy: TierPolicy
    service: ServiceLevels
    currency: str
    kpis: pd.DataFrame
    scorecard: pd.DataFrame
    tiers: pd.DataFrame
    growth: pd.DataFrame
    regrading: Regrading
    churn_reasons: pd.DataFrame
    contacts: ContactCheck
    risk: pd.DataFrame | None = None
    risk_signals: pd.DataFrame | None = None
    risk_by_band: pd.DataFrame | None = None
    personas: pd.DataFrame | None = None
    notes: list[str] = field(default_factory=list)
    active_days: int = 365
    language: str = "en"

    def tables(self) -> dict[str, pd.DataFrame]:
        """The report's tables by name, personal data masked (what the report files hold)."""
        out = {
            "kpis": self.kpis,
            "tier_distribution": self.tiers,
            "customer_growth": self.growth,
            "tier_migration": self.regrading.matrix.reset_index(),
            "tier_changes": self.regrading.changes,
            "churn_reasons": self.churn_reasons,
            "overdue_contacts": self.contacts.overdue,
            "never_contacted": self.contacts.never_contacted,
            "contact_summary": self.contacts.summary,
        }
        if self.risk is not None:
            out["at_risk"] = self.risk
            out["risk_signals"] = self.risk_signals
            out["risk_by_band"] = self.risk_by_band
        if self.personas is not None:
            out["personas"] = self.personas
        return {name: mask_personal(table) for name, table in out.items()}

    def population(self, table: str) -> str:
        """Whom ``table`` (a name of :meth:`tables`) counts, as a sentence for the page.

        Examples
        --------
        >>> from segmentation.datasets.sample import generate_sample
        >>> from segmentation.data.dataset import Dataset
        >>> t = generate_sample(150, random_state=1)
        >>> ds = Dataset.from_frames(**{k: v for k, v in t.items() if k != "truth"})
        >>> r = review_quarter(ds, quarter="2025Q3", churn=False, personas=False)
        >>> r.population("tier_distribution")[:58]
        'Counts the 132 active customers at 2025-09-30 (a purchase '
        """
        q, days, lang = self.quarter, self.active_days, self.language
        inactive = int(self.tiers.attrs.get("inactive", 0))
        active_now = int(self.tiers.loc[self.tiers["tier"] == "total", "customers"].iloc[0])
        words = {
            "days": days,
            "quarter": str(q),
            "start": day(q.previous_end, lang),
            "end": day(q.end, lang),
            "active": number(active_now, lang),
            "inactive": number(inactive, lang),
            "checked": number(int(self.contacts.overdue.attrs.get("checked", 0)), lang),
            "lost": number(int(self.contacts.overdue.attrs.get("lost", 0)), lang),
        }
        sentences = {
            "kpis": message("review.population.kpis", lang, **words),
            "tier_distribution": message("review.population.tier_distribution", lang, **words),
            "customer_growth": message("review.population.customer_growth", lang, **words),
            "tier_migration": message("review.population.tier_migration", lang, **words),
            "tier_changes": message("review.population.tier_changes", lang, **words),
            "overdue_contacts": message("review.population.overdue_contacts", lang, **words),
            "at_risk": message("review.population.at_risk", lang, **words),
        }
        sentences["never_contacted"] = sentences["contact_summary"] = sentences["overdue_contacts"]
        sentences["risk_signals"] = sentences["risk_by_band"] = sentences["at_risk"]
        if table not in sentences:
            raise WorkbenchError(f"table {table!r}: no population described; known tables: {sorted(sentences)}")
        return sentences[table]

    def tier_moves(self, move: str | None = None, *, top_n: int | None = None) -> pd.DataFrame:
        """The tier changes with their reasons, the ones worth reading first on top.

        Parameters
        ----------
        move : {"upgrade", "downgrade", "new", "lapsed", "returned"}, optional
            Only this kind of move; default all of them, downgrades first, then upgrades, new,
            lapsed and returned customers.
        top_n : int, optional
            Only the first ``top_n`` rows.

        Returns
        -------
        DataFrame
            Rows of :attr:`Regrading.changes <segmentation.value.regrading.Regrading>`.
            Downgrades: from the top tier first, the largest fall of the metric first; upgrades:
            to the top tier first, the largest rise first; the others by tier, then customer id.

        Examples
        --------
        >>> from segmentation.datasets.sample import generate_sample
        >>> from segmentation.data.dataset import Dataset
        >>> t = generate_sample(150, random_state=1)
        >>> ds = Dataset.from_frames(**{k: v for k, v in t.items() if k != "truth"})
        >>> r = review_quarter(ds, quarter="2025Q3", churn=False, personas=False)
        >>> r.tier_moves("upgrade", top_n=2)[["previous_tier", "current_tier", "move"]].values.tolist()
        [['B', 'A', 'upgrade'], ['B', 'A', 'upgrade']]
        """
        if move is not None and move not in MOVES:
            raise WorkbenchError(f"move: expected one of {list(MOVES)}, got {move!r}")
        changes = self.regrading.changes
        metric = self.policy.metric
        rank = {t: i for i, t in enumerate(self.policy.names)}
        rise = changes[f"current_{metric}"] - changes[f"previous_{metric}"].fillna(0)
        order = changes.assign(
            _move=changes["move"].map({m: i for i, m in enumerate(("downgrade", "upgrade", *MOVES[2:]))}),
            _was=changes["previous_tier"].map(rank).fillna(len(rank)),
            _now=changes["current_tier"].map(rank).fillna(len(rank)),
            _change=rise.where(changes["move"] != "downgrade", -rise),
        )
        # downgrades by the tier they fell from, upgrades by the tier they reached; largest change first
        order["_tier"] = order["_was"].where(order["move"] != "upgrade", order["_now"])
        order = order.sort_values(
            ["_move", "_tier", "_change", "_now", "customer_id"],
            ascending=[True, True, False, True, True],
            kind="stable",
        )
        if move is not None:
            order = order.loc[order["move"] == move]
        if top_n is not None:
            order = order.head(top_n)
        return order.drop(columns=["_move", "_was", "_now", "_change", "_tier"]).reset_index(drop=True)

    def move_counts(self) -> pd.DataFrame:
        """Customers per kind of tier move, every kind listed (zero included): ``move, customers, meaning``."""
        counts = self.regrading.changes["move"].value_counts().reindex(list(MOVES), fill_value=0)
        lang, words = self.language, {"quarter": str(self.quarter), "days": self.active_days}
        meaning = {
            "upgrade": message("review.move_meaning.upgrade", lang, **words),
            "downgrade": message("review.move_meaning.downgrade", lang, **words),
            "new": message("review.move_meaning.new", lang, **words),
            "lapsed": message("review.move_meaning.lapsed", lang, **words),
            "returned": message("review.move_meaning.returned", lang, **words),
        }
        return pd.DataFrame(
            {
                "move": list(MOVES),
                "customers": counts.astype(int).tolist(),
                "meaning": [meaning[m] for m in MOVES],
            }
        )

    def move_tables(self, *, top_n: int = 15) -> dict[str, pd.DataFrame]:
        """The downgrades and the upgrades, each under a heading that says how many there are and how many are shown.

        Examples
        --------
        >>> from segmentation.datasets.sample import generate_sample
        >>> from segmentation.data.dataset import Dataset
        >>> t = generate_sample(150, random_state=1)
        >>> ds = Dataset.from_frames(**{k: v for k, v in t.items() if k != "truth"})
        >>> r = review_quarter(ds, quarter="2025Q3", churn=False, personas=False)
        >>> list(r.move_tables(top_n=3))
        ['Downgrades: 3 customers, all shown', 'Upgrades: 4 customers, the first 3 shown (all in tier_changes.csv)']
        """
        out, lang = {}, self.language
        words = {
            "downgrade": message("review.moves.downgrades", lang),
            "upgrade": message("review.moves.upgrades", lang),
        }
        for move in ("downgrade", "upgrade"):
            every = self.tier_moves(move)
            shown = every.head(top_n)
            n, k = number(len(every), lang), number(len(shown), lang)
            if len(shown) == len(every):
                heading = message("review.moves.all_shown", lang, what=words[move], n=n, count=len(every))
            else:
                heading = message("review.moves.first_shown", lang, what=words[move], n=n, k=k, count=len(every))
            out[heading] = shown
        return out

    def move_summary(self) -> list[str]:
        """How many customers moved up, down, arrived, lapsed or returned, as sentences."""
        lang = self.language
        return [
            message("review.moves.summary", lang, n=number(r.customers, lang), count=r.customers, meaning=r.meaning)
            for r in self.move_counts().itertuples()
        ]

    def contact_notes(self) -> list[str]:
        """What the overdue-contact tables cover: the day the contact data starts and the never-contacted group."""
        c = self.contacts
        if c.missing:
            return [c.missing]
        never, lang = c.never_contacted, self.language
        since = day(c.contacts_since, lang)
        return [
            message("review.contacts.data_starts", lang, day=since),
            message("review.contacts.never", lang, n=number(len(never), lang), count=len(never), day=since),
        ]

    def headline(self) -> list[str]:
        """The review in a few sentences: customers, revenue, targets, risk, overdue contacts."""
        q, cur, lang = self.quarter, self.currency, self.language
        g = self.growth.set_index("quarter")
        now = g.loc[str(q)]
        active = int(now["active_customers"])
        change = ""
        if str(q.shift(-1)) in g.index:
            diff = int(now["active_customers"] - g.loc[str(q.shift(-1)), "active_customers"])
            change = message("review.headline.change_on", lang, change=f"{diff:+,}", quarter=str(q.shift(-1)))
        lines = [
            message(
                "review.headline.customers",
                lang,
                n=number(active, lang),
                day=day(q.end, lang),
                change=change,
                new=number(int(now["new_customers"]), lang),
                quarter=str(q),
            )
        ]
        revenue = message("review.headline.revenue", lang, quarter=str(q), amount=amount(now["revenue"], lang, cur))
        if str(q.shift(-4)) in g.index and g.loc[str(q.shift(-4)), "revenue"] > 0:
            growth = now["revenue"] / g.loc[str(q.shift(-4)), "revenue"] - 1
            sign = "+" if growth >= 0 else ""
            revenue += message(
                "review.headline.revenue_change", lang, change=sign + percent(growth, lang), quarter=str(q.shift(-4))
            )
        lines.append(revenue + message("review.headline.stop", lang))
        status = self.kpis.loc[self.kpis["tier"] != "All", "status"].value_counts()
        targets = message("review.headline.targets", lang, met=status.get("met", 0), missed=status.get("missed", 0))
        if status.get("not computed", 0):
            targets += message("review.headline.not_computed", lang, n=status["not computed"])
        lines.append(targets + message("review.headline.stop", lang))
        if pd.notna(now["lost_customers"]):
            lost = int(now["lost_customers"])
            lines.append(message("review.headline.lost", lang, n=number(lost, lang), count=lost, quarter=str(q)))
        if self.risk_by_band is not None:
            high = self.risk_by_band.set_index("band").loc["high"]
            lines.append(
                message(
                    "review.headline.high_risk",
                    lang,
                    n=number(int(high["customers"]), lang),
                    count=int(high["customers"]),
                    amount=amount(high["value_at_risk"], lang, cur),
                )
            )
        if self.contacts.missing is None:
            overdue = self.contacts.overdue
            top = self.policy.names[0]
            never = self.contacts.never_contacted
            lines.append(
                message(
                    "review.headline.contacts",
                    lang,
                    n=number(overdue["customer_id"].nunique(), lang),
                    n_top=number(overdue.loc[overdue["tier"] == top, "customer_id"].nunique(), lang),
                    top=top,
                    never=number(len(never), lang),
                    day=day(self.contacts.contacts_since, lang),
                    never_top=number(int((never["tier"] == top).sum()), lang),
                )
            )
        return lines


def _with_names(table: pd.DataFrame, data: Dataset) -> pd.DataFrame:
    """``table`` with the customer (company) name after ``customer_id``, when the team supplied names."""
    if "name" not in data.customers or "name" in table:
        return table
    names = data.customers.drop_duplicates("customer_id").set_index("customer_id")["name"]
    out = table.copy()
    out.insert(out.columns.get_loc("customer_id") + 1, "name", names.reindex(out["customer_id"]).to_numpy())
    return out


def _named_regrading(r: Regrading, data: Dataset) -> Regrading:
    return dataclasses.replace(r, changes=_with_names(r.changes, data))


def _risk_signals(risk: pd.DataFrame, language: str = "en") -> pd.DataFrame:
    high = risk.loc[risk["band"] == "high", "signals"].fillna("")
    names = high.str.split(",").explode()
    counts = names[names != ""].value_counts()
    labels = [
        message(f"review.signal.{n}", language) if language != "en" and n in SIGNALS else (SIGNALS[n].label or n)
        for n in counts.index
    ]
    table = pd.DataFrame({"signal": labels, "customers": counts.to_numpy()})
    table["share_of_high_risk"] = table["customers"] / max(len(high), 1)
    return table


def review_quarter(
    data: Dataset,
    *,
    quarter: str | Quarter,
    policy: TierPolicy | str | Path = "abc",
    service: ServiceLevels | str | Path | None = None,
    currency: str | None = None,
    top_n: int = 20,
    n_quarters: int = 8,
    active_days: int = 365,
    churn: bool = True,
    personas: bool = True,
    random_state: int = 0,
    language: str | None = None,
) -> QuarterlyReview:
    """Compute every table of the quarterly review.

    Parameters
    ----------
    data : Dataset
    quarter : str or Quarter
        The quarter reviewed, e.g. ``"2025Q3"``; everything uses data up to its end.
    policy : TierPolicy, preset name or path, default "abc"
    service : ServiceLevels, preset name or path, optional
        Contact rules and KPI targets; default the preset matching ``policy``.
    currency : str, optional
        Default the policy's currency.
    top_n : int, default 20
        At-risk customers listed.
    n_quarters : int, default 8
        Quarters in the growth trend.
    active_days : int, default 365
        A customer counts as active with a purchase in this many days.
    churn, personas : bool, default True
        Compute the churn-risk list and the persona summary (the two slow parts).
    random_state : int, default 0
        Seed of the persona clustering.
    language : str, optional
        Language of the review's sentences (en, zh or zh_Hant); default the tier policy's
        ``language``, else English (:func:`segmentation.i18n.resolve_language`).

    Returns
    -------
    QuarterlyReview
    """
    q = parse_quarter(quarter)
    policy = TierPolicy.coerce(policy)
    service = ServiceLevels.for_policy(policy, service)
    lang = resolve_language(language, policy)
    first, last = data.transactions["order_date"].min(), data.transactions["order_date"].max()
    if data.transactions.empty or first > q.end:
        raise WorkbenchError(
            f"quarter {q}: no order on or before its end ({q.end:%Y-%m-%d}); the data starts "
            f"{'nowhere (no orders)' if data.transactions.empty else f'on {first:%Y-%m-%d}'}"
        )
    notes: list[str] = []
    if last < q.start:
        notes.append(message("review.note.no_order", lang, quarter=str(q), day=day(last, lang)))
    elif first < q.start and not data.transactions["order_date"].between(q.start, q.end).any():
        notes.append(message("review.note.no_order_between", lang, quarter=str(q)))
    # Each day's per-customer aggregation (the quarter ends, the KPI windows' starts, the churn
    # model's training cutoffs) is computed once and shared by every table that needs it.
    features_at = features_once(data)
    kpis = quarterly_kpis(
        data,
        quarter=q,
        policy=policy,
        service=service,
        active_days=active_days,
        language=lang,
        features_at=features_at,
    )
    notes += [message("review.note.kpi", lang, text=text) for text in kpis.attrs["not_computed"]]
    contacts = overdue_contacts(
        data,
        as_of=q.end,
        policy=policy,
        service=service,
        active_days=active_days,
        language=lang,
        features_at=features_at,
    )
    if contacts.missing:
        notes.append(message("review.note.contacts", lang, text=contacts.missing))
    reasons = churn_reason_counts(data, quarter=q, language=lang)
    if "missing" in reasons.attrs:
        notes.append(message("review.note.churn_reasons", lang, text=reasons.attrs["missing"]))
    review = QuarterlyReview(
        quarter=q,
        policy=policy,
        service=service,
        currency=currency or policy.currency,
        kpis=kpis,
        scorecard=kpi_scorecard(kpis, language=lang),
        tiers=tier_distribution(data, quarter=q, policy=policy, active_days=active_days, features_at=features_at),
        growth=customer_growth(data, quarter=q, n_quarters=n_quarters, active_days=active_days),
        regrading=_named_regrading(
            regrade(
                data,
                previous=q.previous_end,
                current=q.end,
                policy=policy,
                active_days=active_days,
                language=lang,
                features_at=features_at,
            ),
            data,
        ),
        churn_reasons=reasons,
        contacts=contacts,
        notes=notes,
        active_days=active_days,
        language=lang,
    )
    occupied = review.tiers.loc[(review.tiers["tier"] != "total") & (review.tiers["customers"] > 0), "tier"]
    if len(occupied) == 1 and len(policy.tiers) > 1:
        notes.append(
            message(
                "review.note.one_tier",
                lang,
                n=number(int(review.tiers["customers"].iloc[-1]), lang),
                tier=occupied.iloc[0],
                policy=policy.name,
            )
        )
    if churn:
        from segmentation.churn.risk import churn_risk

        try:
            result = churn_risk(
                data,
                cutoff=q.end,
                policy=policy,
                active_days=active_days,
                importance=False,
                reasons=False,
                language=lang,
                features_at=features_at,
            )
            notes += [message("review.note.churn_risk", lang, text=note) for note in result.notes]
            # Reasons for the customers the review shows: the top of the list and the high band.
            shown = (result.table.index < top_n) | (result.table["band"] == "high")
            risk = result.with_reasons(result.table.loc[shown, "customer_id"])
            review.risk = _with_names(risk.head(top_n).reset_index(drop=True), data)
            review.risk_signals = _risk_signals(risk, lang)
            bands = risk.groupby("band", observed=False).agg(
                customers=("customer_id", "size"), value_at_risk=("value_at_risk", "sum")
            )
            review.risk_by_band = bands.reset_index()  # a categorical band: every band, in order, zero included
        except WorkbenchError as exc:
            notes.append(message("review.note.churn_risk_failed", lang, text=str(exc)))
    else:
        notes.append(message("review.note.churn_risk_off", lang))
    if personas:
        from segmentation.personas.analysis import find_personas

        try:
            run = find_personas(data, as_of=q.end, currency=review.currency, random_state=random_state, language=lang)
            review.personas = run.profiles.table[PERSONA_COLUMNS]
            notes += [message("review.note.personas", lang, text=note) for note in run.notes]
        except WorkbenchError as exc:
            notes.append(message("review.note.personas_failed", lang, text=str(exc)))
    else:
        notes.append(message("review.note.personas_off", lang))
    return review


__all__ = ["QuarterlyReview", "review_quarter"]
