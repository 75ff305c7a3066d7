"""Overdue contacts: customers whose tier's contact policy says a contact was due and none happened.

Domain brief section 3: each tier is owed proactive contacts at a cadence (A: a visit every
quarter and a call every month, ...), set in the service levels
(:class:`~segmentation.review.service_levels.ServiceLevels`). A customer is overdue for a rule when
none of our proactive contacts on one of the rule's channels happened in the
``every_months`` months up to the as-of date.

The contact data covers a period: it starts on ``contacts_since`` (default: the first
interaction in the table). Before that day nothing is known, so a rule never met is due
``every_months`` after the later of the customer's start (first-deal date, else first purchase)
and that day, never years before the data. Customers with no proactive contact at all since the
contact data starts, though a contact was due, are a group of their own
(:attr:`ContactCheck.never_contacted`), not rows of the overdue list.

Customers checked: those with a purchase in the ``active_days`` before the as-of date, in
the tier they have at that date; customers recorded as lost are left out and counted.

Examples
--------
>>> import pandas as pd
>>> from segmentation.data.dataset import Dataset
>>> tx = pd.DataFrame({"customer_id": ["a", "b"], "order_id": ["1", "2"],
...                    "order_date": pd.to_datetime(["2025-01-10", "2025-02-01"]), "amount": [600_000.0, 10.0]})
>>> it = pd.DataFrame({"customer_id": ["a"], "date": pd.to_datetime(["2025-04-15"]), "channel": ["phone"],
...                    "direction": ["proactive"]})
>>> c = overdue_contacts(Dataset.from_frames(transactions=tx, interactions=it), as_of="2025-09-30")
>>> c.contacts_since
Timestamp('2025-04-15 00:00:00')
>>> c.overdue[["customer_id", "tier", "contact", "due_since", "days_overdue"]].values.tolist()
[['a', 'A', 'call', Timestamp('2025-05-15 00:00:00'), 138], ['a', 'A', 'visit', Timestamp('2025-07-15 00:00:00'), 77]]
>>> c.never_contacted[["customer_id", "tier", "counted_from", "first_due", "days_since_due"]].values.tolist()
[['b', 'C', Timestamp('2025-04-15 00:00:00'), Timestamp('2025-07-15 00:00:00'), 77]]
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from segmentation.data.dataset import Dataset
from segmentation.data.privacy import mask_personal
from segmentation.features import customer_features
from segmentation.i18n import message
from segmentation.periods import as_date
from segmentation.review.kpis import recorded_lost
from segmentation.review.service_levels import ServiceLevels
from segmentation.value.tiers import TierPolicy

COLUMNS = [
    "customer_id",
    "name",
    "tier",
    "contact",
    "channels",
    "every_months",
    "last_contact",
    "due_since",
    "days_overdue",
    "owner",
    "contact_name",
    "contact_phone",
    "contact_email",
]
NEVER_COLUMNS = [
    "customer_id",
    "name",
    "tier",
    "customer_since",
    "counted_from",
    "first_due",
    "days_since_due",
    "owner",
    "contact_name",
    "contact_phone",
    "contact_email",
]
SUMMARY_COLUMNS = [
    "tier",
    "contact",
    "every_months",
    "customers",
    "overdue",
    "never_contacted",
    "share_overdue",
    "median_days_overdue",
]
PEOPLE = ("name", "owner", "contact_name", "contact_phone", "contact_email")


@dataclass(frozen=True)
class ContactCheck:
    """The result of :func:`overdue_contacts`.

    Attributes
    ----------
    overdue : DataFrame
        One row per (customer, rule) overdue, for customers with at least one proactive contact
        since ``contacts_since``: ``customer_id, name, tier, contact, channels, every_months,
        last_contact, due_since, days_overdue, owner`` and the contact person (masked). A rule
        never met counts from the later of the customer's start and ``contacts_since``. Most
        overdue first within each tier, top tier first.
    summary : DataFrame
        Per (tier, contact rule): ``customers`` checked, ``overdue`` (rows of :attr:`overdue`),
        ``never_contacted`` (customers of :attr:`never_contacted` for whom this rule is due),
        ``share_overdue`` (overdue / customers) and ``median_days_overdue`` (of the overdue).
    missing : str or None
        Why nothing could be checked (no interactions table), else None.
    never_contacted : DataFrame
        Customers with no proactive contact since ``contacts_since`` although one was due:
        ``customer_id, name, tier, customer_since, counted_from`` (the later of the two starts),
        ``first_due`` (the earliest due date of the tier's rules), ``days_since_due``, ``owner``
        and the contact person (masked). Longest waiting first within each tier, top tier first.
    contacts_since : Timestamp or None
        The first day the contact data covers (None without interactions).
    """

    overdue: pd.DataFrame
    summary: pd.DataFrame
    missing: str | None = None
    never_contacted: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=NEVER_COLUMNS))
    contacts_since: pd.Timestamp | None = None


def _with_people(table: pd.DataFrame, data: Dataset) -> pd.DataFrame:
    people = data.customers.drop_duplicates("customer_id").set_index("customer_id")
    for column in PEOPLE:
        table[column] = people[column].reindex(table["customer_id"]).to_numpy() if column in people else pd.NA
    return table


def _by_tier(table: pd.DataFrame, policy: TierPolicy, days: str, columns: list[str]) -> pd.DataFrame:
    """Top tier first, longest waiting first, then by customer id."""
    rank = {t: i for i, t in enumerate(policy.names)}
    keys = ["_rank", days, "customer_id", *(["contact"] if "contact" in table else [])]
    table = table.assign(_rank=table["tier"].map(rank)).sort_values(
        keys, ascending=[True, False, *[True] * (len(keys) - 2)], kind="stable"
    )
    return mask_personal(table[columns].reset_index(drop=True))


def overdue_contacts(
    data: Dataset,
    *,
    as_of: str | pd.Timestamp,
    policy: TierPolicy | str | Path = "abc",
    service: ServiceLevels | str | Path | None = None,
    active_days: int = 365,
    contacts_since: str | pd.Timestamp | None = None,
    language: str = "en",
    features_at: Callable[[pd.Timestamp], pd.DataFrame] | None = None,
) -> ContactCheck:
    """Check every customer against its tier's contact rules at ``as_of``.

    Parameters
    ----------
    data : Dataset
    as_of : str or Timestamp
        Usually a quarter end; contacts after it are ignored.
    policy : TierPolicy, preset name or path, default "abc"
    service : ServiceLevels, preset name or path, optional
        Default: the preset matching ``policy``.
    active_days : int, default 365
    contacts_since : str or Timestamp, optional
        The first day the contact data covers (contacts before it were not recorded); default
        the date of the first interaction in the table.
    language : str, default "en"
        Language of :attr:`ContactCheck.missing` (en, zh or zh_Hant).
    features_at : callable, optional
        ``features_at(day)`` gives the :func:`~segmentation.features.customer_features` of ``data``
        at ``day``; a caller that needs them elsewhere too passes one that computes each day once
        (:func:`~segmentation.review.quarterly.review_quarter` does). Default: computed here.

    Returns
    -------
    ContactCheck

    Examples
    --------
    See the module docstring.
    """
    as_of = as_date(as_of, name="as_of")
    policy = TierPolicy.coerce(policy)
    service = ServiceLevels.for_policy(policy, service)
    f = features_at(as_of) if features_at is not None else customer_features(data, as_of=as_of)
    f = f.loc[f["last_purchase"] > as_of - pd.Timedelta(days=active_days)]
    lost = f.index.intersection(recorded_lost(data, as_of))
    f = f.drop(index=lost)
    tier = policy.assign(f)["tier"]
    since = as_of - pd.to_timedelta(f["tenure_days"], unit="D")
    summary_rows, found, never_found = [], [], []
    missing, start = None, None
    if data.interactions is None:
        missing = message("review.contacts.missing", language)
    else:
        interactions = data.interactions  # only the columns read are copied
        it = interactions.loc[interactions["date"] <= as_of, ["customer_id", "date", "channel", "direction"]]
        if contacts_since is not None:
            start = as_date(contacts_since, name="contacts_since")
        elif len(it):
            start = pd.Timestamp(it["date"].min())
        else:
            start = as_of
        it = it.loc[(it["direction"] == "proactive") & (it["date"] >= start)]
        counted_from = since.where(since > start, start)
        contacted = pd.Index(it["customer_id"].unique())
        owed = tier.reindex(it["customer_id"]).to_numpy()  # each contact's customer's tier (NaN: not checked)
        for t in policy.names:
            ids = tier.index[(tier == t).to_numpy()]
            never = contacted.get_indexer(ids) < 0  # a lookup: isin is slow on Arrow strings
            theirs = it.loc[owed == t]
            first_due = pd.Series(pd.NaT, index=ids, dtype=counted_from.dtype)
            for rule in service.contacts(t):
                hits = theirs if rule.channels is None else theirs.loc[theirs["channel"].isin(rule.channels)]
                last = hits.groupby("customer_id")["date"].max().reindex(ids)
                due = last.fillna(counted_from.reindex(ids)) + pd.DateOffset(months=rule.every_months)
                first_due = first_due.where(first_due.notna() & (first_due <= due), due)
                late = (due <= as_of).to_numpy()
                listed = late & ~never
                days = (as_of - due[listed]).dt.days
                found.append(
                    pd.DataFrame(
                        {
                            "customer_id": ids[listed],
                            "tier": t,
                            "contact": rule.contact,
                            "channels": "any" if rule.channels is None else ", ".join(rule.channels),
                            "every_months": rule.every_months,
                            "last_contact": last[listed].to_numpy(),
                            "due_since": due[listed].to_numpy(),
                            "days_overdue": days.to_numpy(),
                        }
                    )
                )
                summary_rows.append(
                    {
                        "tier": t,
                        "contact": rule.contact,
                        "every_months": rule.every_months,
                        "customers": len(ids),
                        "overdue": int(listed.sum()),
                        "never_contacted": int((late & never).sum()),
                        "share_overdue": listed.mean() if len(ids) else float("nan"),
                        "median_days_overdue": days.median() if len(days) else float("nan"),
                    }
                )
            waiting = never & (first_due <= as_of).to_numpy()
            never_found.append(
                pd.DataFrame(
                    {
                        "customer_id": ids[waiting],
                        "tier": t,
                        "customer_since": since.reindex(ids[waiting]).to_numpy(),
                        "counted_from": counted_from.reindex(ids[waiting]).to_numpy(),
                        "first_due": first_due[waiting].to_numpy(),
                        "days_since_due": (as_of - first_due[waiting]).dt.days.to_numpy(),
                    }
                )
            )
    overdue = pd.concat(found, ignore_index=True) if found else pd.DataFrame(columns=COLUMNS[:9])
    overdue = _by_tier(_with_people(overdue, data), policy, "days_overdue", COLUMNS)
    overdue.attrs.update(as_of=as_of, lost=len(lost), checked=len(f), contacts_since=start)
    never = (
        pd.concat(never_found, ignore_index=True)
        if never_found
        else pd.DataFrame(columns=[c for c in NEVER_COLUMNS if c not in PEOPLE])
    )
    never = _by_tier(_with_people(never, data), policy, "days_since_due", NEVER_COLUMNS)
    summary = pd.DataFrame(summary_rows, columns=SUMMARY_COLUMNS)
    return ContactCheck(overdue, summary, missing, never, start)


__all__ = ["ContactCheck", "overdue_contacts"]
