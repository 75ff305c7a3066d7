"""One table per customer as of a date: features, RFM scores, segment and tier.

Examples
--------
>>> from segmentation.datasets.sample import generate_sample
>>> t = generate_sample(300, random_state=1)
>>> table = score_customers(t["transactions"], as_of="2025-06-30", customers=t["customers"])
>>> {"r_score", "segment", "tier"} <= set(table.columns), bool(table["segment"].notna().all())
(True, True)
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from segmentation.errors import InsufficientDataError
from segmentation.features import customer_features
from segmentation.periods import as_date
from segmentation.value.rfm import RFMScorer
from segmentation.value.segments import SegmentRules
from segmentation.value.tiers import TierPolicy


def score_customers(
    data: object,
    *,
    as_of: str | pd.Timestamp,
    customers: pd.DataFrame | None = None,
    policy: TierPolicy | str | Path = "abc",
    scorer: RFMScorer | None = None,
    rules: SegmentRules | str | Path = "default",
    time_unit: str = "W",
) -> pd.DataFrame:
    """Features, RFM scores, named segment and value tier for every customer as of a date.

    Parameters
    ----------
    data : DataFrame, Dataset, path or Ibis table
        As in :func:`segmentation.features.customer_features`.
    as_of : str or Timestamp
        Last day of data used (inclusive).
    customers : DataFrame, optional
        Customer table (first-deal dates for tenure).
    policy : TierPolicy, preset name or path, default "abc"
    scorer : RFMScorer, optional
        A scorer fitted on a reference quarter; by default one is fitted on these customers.
    rules : SegmentRules, preset name or path, default "default"
    time_unit : str, default "W"
        Unit of the buy-till-you-die columns.

    Returns
    -------
    DataFrame
        Indexed by ``customer_id``.
    """
    as_of = as_date(as_of, name="as_of")
    features = customer_features(data, as_of=as_of, customers=customers, time_unit=time_unit)
    if features.empty:
        raise InsufficientDataError(f"no customer bought anything on or before {as_of:%Y-%m-%d}: nothing to score")
    return score_features(features, policy=policy, scorer=scorer, rules=rules)


def score_features(
    features: pd.DataFrame,
    *,
    policy: TierPolicy | str | Path = "abc",
    scorer: RFMScorer | None = None,
    rules: SegmentRules | str | Path = "default",
) -> pd.DataFrame:
    """Add RFM scores, segment and tier to a table of :func:`customer_features`.

    ``scorer`` is fitted on ``features`` when not given (or not yet fitted).
    """
    policy = TierPolicy.coerce(policy)
    rules = SegmentRules.coerce(rules)
    if scorer is None:
        scorer = RFMScorer(n_bins=rules.n_bins)
    if not hasattr(scorer, "edges_"):
        scorer.fit(features)
    scores = scorer.transform(features)
    return features.join(scores).assign(segment=rules.assign(scores)).join(policy.assign(features))


__all__ = ["score_customers", "score_features"]
