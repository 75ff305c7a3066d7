"""Overdue contacts: customers whose tier's contact policy says a contact was due and none happened.

Domain brief section 3: each tier is owed proactive contacts at a cadence (A: a visit every
quarter and a call every month, ...), set in the service levels
(:class:`~segmentation.review.service_levels.ServiceLevels`). A customer is overdue for a rule when
none of our proactive contacts on one of the rule's channels happened in the
``every_months`` months up to the as-of date. A customer never contacted is due
``every_months`` after becoming a customer (first-deal date, else first purchase).

Customers checked: those with a purchase in the ``active_days`` before the as-of date, in
the tier they have at that date; customers recorded as lost are left out and counted.

Examples
--------
>>> import pandas as pd
>>> from segmentation.data.dataset import Dataset
>>> tx = pd.DataFrame({"customer_id": ["a"], "order_id": ["1"], "order_date": pd.to_datetime(["2025-01-10"]),
...                    "amount": [600_000.0]})
>>> it = pd.DataFrame({"customer_id": ["a"], "date": pd.to_datetime(["2025-09-15"]), "channel": ["phone"],
...                    "direction": ["proactive"]})
>>> c = overdue_contacts(Dataset.from_frames(transactions=tx, interactions=it), as_of="2025-09-30")
>>> c.overdue[["customer_id", "tier", "contact", "last_contact", "days_overdue"]].values.tolist()
[['a', 'A', 'visit', NaT, 173]]
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from segmentation.data.dataset import Dataset
from segmentation.data.privacy import mask_personal
from segmentation.features import customer_features
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


@dataclass(frozen=True)
class ContactCheck:
    """The result of :func:`overdue_contacts`.

    Attributes
    ----------
    overdue : DataFrame
        One row per (customer, rule) overdue: ``customer_id, name, tier, contact, channels,
        every_months, last_contact, due_since, days_overdue, owner`` and the contact person
        (masked). Most overdue first within each tier, top tier first.
    summary : DataFrame
        Per (tier, contact rule): customers checked, overdue, share overdue, median days overdue.
    missing : str or None
        Why nothing could be checked (no interactions table), else None.
    """

    overdue: pd.DataFrame
    summary: pd.DataFrame
    missing: str | None = None


def overdue_contacts(
    data: Dataset,
    *,
    as_of: str | pd.Timestamp,
    policy: TierPolicy | str | Path = "abc",
    service: ServiceLevels | str | Path | None = None,
    active_days: int = 365,
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

    Returns
    -------
    ContactCheck
    """
    as_of = as_date(as_of, name="as_of")
    policy = TierPolicy.coerce(policy)
    service = ServiceLevels.for_policy(policy, service)
    f = customer_features(data, as_of=as_of)
    f = f.loc[f["last_purchase"] > as_of - pd.Timedelta(days=active_days)]
    lost = f.index.intersection(recorded_lost(data, as_of))
    f = f.drop(index=lost)
    tier = policy.assign(f)["tier"]
    since = as_of - pd.to_timedelta(f["tenure_days"], unit="D")
    summary_rows, found = [], []
    missing = None
    if data.interactions is None:
        missing = "no interactions table: follow-up contacts were not supplied, so no contact can be checked"
    else:
        it = data.interactions
        it = it.loc[(it["direction"] == "proactive") & (it["date"] <= as_of)]
        owed = tier.reindex(it["customer_id"]).to_numpy()  # each contact's customer's tier (NaN: not checked)
        for t in policy.names:
            ids = tier.index[(tier == t).to_numpy()]
            theirs = it.loc[owed == t]
            for rule in service.contacts(t):
                hits = theirs if rule.channels is None else theirs.loc[theirs["channel"].isin(rule.channels)]
                last = hits.groupby("customer_id")["date"].max().reindex(ids)
                due = last.fillna(since.reindex(ids)) + pd.DateOffset(months=rule.every_months)
                late = due <= as_of
                days = (as_of - due[late]).dt.days
                found.append(
                    pd.DataFrame(
                        {
                            "customer_id": ids[late.to_numpy()],
                            "tier": t,
                            "contact": rule.contact,
                            "channels": "any" if rule.channels is None else ", ".join(rule.channels),
                            "every_months": rule.every_months,
                            "last_contact": last[late].to_numpy(),
                            "due_since": due[late].to_numpy(),
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
                        "overdue": int(late.sum()),
                        "share_overdue": late.mean() if len(ids) else float("nan"),
                        "median_days_overdue": days.median() if len(days) else float("nan"),
                    }
                )
    overdue = pd.concat(found, ignore_index=True) if found else pd.DataFrame(columns=COLUMNS[:9])
    people = data.customers.drop_duplicates("customer_id").set_index("customer_id")
    for column in ("name", "owner", "contact_name", "contact_phone", "contact_email"):
        overdue[column] = people[column].reindex(overdue["customer_id"]).to_numpy() if column in people else pd.NA
    rank = {t: i for i, t in enumerate(policy.names)}
    overdue = overdue.assign(_rank=overdue["tier"].map(rank)).sort_values(
        ["_rank", "days_overdue", "customer_id", "contact"], ascending=[True, False, True, True], kind="stable"
    )
    overdue = mask_personal(overdue[COLUMNS].reset_index(drop=True))
    overdue.attrs.update(as_of=as_of, lost=len(lost), checked=len(f))
    summary = pd.DataFrame(
        summary_rows,
        columns=["tier", "contact", "every_months", "customers", "overdue", "share_overdue", "median_days_overdue"],
    )
    return ContactCheck(overdue, summary, missing)


__all__ = ["ContactCheck", "overdue_contacts"]
