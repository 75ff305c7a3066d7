"""Realistic B2B CRM sample data in the contract, with planted truth.

The generator plants what later analyses must find, so tests can check them:

- **personas**: five customer types that differ in size, industry, buying rhythm, order
  size, category mix, contact channels and satisfaction (:data:`PERSONAS`);
- **value skew**: order values are log-normal per customer, so the ABC preset puts only a
  few percent of customers in A;
- **churn driven by warning signals**: in the months before a customer is lost, orders
  thin out and shrink, responses slow down, satisfaction falls and complaints rise
  (domain brief section 5). A fifth of churners leave without warning (noise);
- seasonality (a December peak), growth per persona, contact policies followed with
  lapses per account owner, and response delays.

Everything is drawn from one ``numpy.random.Generator`` seeded by ``random_state``: the same
arguments write the same bytes. ``truth.csv`` (customer_id, persona, churned_on) is for
tests and evaluation notebooks only; analyses never read it.

Examples
--------
>>> tables = generate_sample(200, random_state=1)
>>> sorted(tables)
['churn_events', 'customers', 'interactions', 'surveys', 'transactions', 'truth']
>>> tables["customers"]["customer_id"].is_unique
True
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pa_csv
import yaml

from segmentation.data.writers import atomic_path, write_text
from segmentation.datasets.sample_zh import FILES as CHINESE_FILES
from segmentation.datasets.sample_zh import MAPPING, to_chinese
from segmentation.i18n import check_language
from segmentation.periods import as_date

DEFAULT_END = "2025-09-30"
CATEGORIES = ("hardware", "software", "services", "consumables", "training")
CHANNELS = ("phone", "visit", "email", "online_meeting", "sms_chat", "event")
INDUSTRIES = ("manufacturing", "energy", "technology", "retail", "wholesale", "construction", "healthcare", "logistics")
REGIONS = ("east", "north", "south", "west", "central")
SIZES = ("large", "mid", "small")
TOPICS = ("follow-up", "quote", "support", "renewal", "training", "complaint")
OWNERS = np.array([f"AM{i:02d}" for i in range(1, 41)])  # account managers, 8 per region
REASONS = ("price", "slow_response", "product_gap", "competitor", "closed_business")


@dataclass(frozen=True)
class Persona:
    """The planted parameters of one persona (per-customer values vary around them)."""

    name: str
    share: float
    industry: tuple[float, ...]  # probabilities over INDUSTRIES
    size: tuple[float, float, float]  # large, mid, small
    orders_per_month: float
    order_value: float  # median order value, CNY
    value_sigma: float  # spread of customer-level order value (log scale)
    growth: float  # yearly growth of order rate
    category: tuple[float, ...]  # probabilities over CATEGORIES
    contacts_per_month: float
    channel: tuple[float, ...]  # probabilities over CHANNELS
    proactive: float  # share of contacts made by us
    response_hours: float  # median hours until the customer replies
    satisfaction: float  # mean rating before any decline
    complaint: float  # probability that a contact is a complaint
    churn_hazard: float  # monthly probability of being lost
    decision_chain: float
    regularity: float  # gamma shape of the gaps between orders: 1 = random (Poisson), higher = on a cycle


PERSONAS: tuple[Persona, ...] = (
    Persona(
        "key_account",
        0.06,
        (0.35, 0.3, 0.1, 0, 0, 0.1, 0.1, 0.05),
        (0.85, 0.15, 0),
        1.4,
        60_000,
        0.55,
        0.08,
        (0.35, 0.25, 0.25, 0.05, 0.1),
        3.0,
        (0.2, 0.35, 0.05, 0.3, 0, 0.1),
        0.8,
        6,
        4.5,
        0.02,
        0.002,
        7,
        3.0,
    ),
    Persona(
        "growing_midmarket",
        0.20,
        (0, 0, 0.55, 0.25, 0, 0, 0.2, 0),
        (0.1, 0.8, 0.1),
        0.8,
        13_000,
        0.7,
        0.45,
        (0.1, 0.55, 0.2, 0.05, 0.1),
        1.2,
        (0.25, 0.05, 0.35, 0.3, 0.05, 0),
        0.6,
        14,
        4.1,
        0.04,
        0.006,
        3,
        2.5,
    ),
    Persona(
        "price_sensitive_smb",
        0.34,
        (0, 0, 0, 0.5, 0.4, 0, 0, 0.1),
        (0, 0.1, 0.9),
        0.8,
        3_000,
        0.6,
        0.0,
        (0.05, 0.05, 0.05, 0.8, 0.05),
        0.5,
        (0.25, 0, 0.15, 0, 0.6, 0),
        0.7,
        30,
        3.5,
        0.12,
        0.012,
        1.5,
        3.0,
    ),
    Persona(
        "project_buyer",
        0.15,
        (0, 0.25, 0, 0, 0, 0.55, 0.1, 0.1),
        (0.5, 0.5, 0),
        0.2,
        100_000,
        0.6,
        0.05,
        (0.6, 0.05, 0.3, 0, 0.05),
        0.7,
        (0.2, 0.55, 0.1, 0.1, 0, 0.05),
        0.7,
        60,
        3.9,
        0.05,
        0.005,
        9,
        1.0,
    ),
    Persona(
        "service_heavy",
        0.25,
        (0.2, 0, 0.2, 0, 0, 0, 0.4, 0.2),
        (0.1, 0.45, 0.45),
        0.6,
        7_000,
        0.6,
        0.0,
        (0.05, 0.15, 0.65, 0.05, 0.1),
        1.4,
        (0.6, 0, 0.3, 0, 0.1, 0),
        0.25,
        40,
        3.3,
        0.15,
        0.009,
        4,
        2.0,
    ),
)

_SURNAMES = list("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗")
_GIVEN = [
    "伟",
    "芳",
    "娜",
    "敏",
    "静",
    "丽",
    "强",
    "磊",
    "军",
    "洋",
    "勇",
    "艳",
    "杰",
    "涛",
    "明",
    "超",
    "秀英",
    "霞",
    "平",
    "刚",
]
_NAME_PARTS = [
    "恒达",
    "华信",
    "宏远",
    "鼎盛",
    "安泰",
    "新元",
    "博雅",
    "中科",
    "天成",
    "汇丰",
    "瑞祥",
    "金桥",
    "远航",
    "嘉禾",
    "永盛",
]
_NAME_KINDS = {
    "manufacturing": "制造",
    "energy": "能源",
    "technology": "科技",
    "retail": "商贸",
    "wholesale": "批发",
    "construction": "建设",
    "healthcare": "医疗",
    "logistics": "物流",
}


def _month_starts(end: pd.Timestamp, months: int) -> pd.DatetimeIndex:
    last = end.to_period("M")
    return pd.period_range(last - months + 1, last, freq="M").to_timestamp()


def _choice(rng: np.random.Generator, probs: np.ndarray) -> np.ndarray:
    """One categorical draw per row of ``probs`` (rows sum to 1)."""
    cum = probs.cumsum(axis=1)
    u = rng.random((len(probs), 1))
    return np.minimum((u > cum).sum(axis=1), probs.shape[1] - 1)


def generate_sample(
    n_customers: int = 2000,
    *,
    random_state: int = 0,
    end: str = DEFAULT_END,
    years: int = 3,
) -> dict[str, pd.DataFrame]:
    """Generate the contract tables and the planted truth.

    Parameters
    ----------
    n_customers : int, default 2000
        Customers in the customer table (all of them bought at least once).
    random_state : int, default 0
        Seed of the only random generator used.
    end : str, default "2025-09-30"
        Last day of the history (a quarter end).
    years : int, default 3
        Length of the order history.

    Returns
    -------
    dict of DataFrame
        ``customers``, ``transactions``, ``interactions``, ``surveys``, ``churn_events`` and
        ``truth``.

    Examples
    --------
    >>> t = generate_sample(100, random_state=3)
    >>> t["transactions"]["order_date"].max() <= pd.Timestamp("2025-09-30")
    True
    """
    if n_customers < 1:
        raise ValueError(f"n_customers must be at least 1, got {n_customers}")
    rng = np.random.default_rng(random_state)
    end_ts = as_date(end, name="end")
    months = 12 * years
    starts = _month_starts(end_ts, months)
    days_in_month = starts.days_in_month.to_numpy()
    n = n_customers
    attr = lambda field: np.array([getattr(p, field) for p in PERSONAS])  # noqa: E731

    # Customers: persona, first deal, attributes.
    persona = _choice(rng, np.tile(attr("share") / attr("share").sum(), (n, 1)))
    # First deal: up to 8 years before the end, spread so roughly half predate the history.
    first_month = months - 1 - np.floor(rng.random(n) ** 1.3 * 8 * 12).astype(int)
    industry = _choice(rng, attr("industry")[persona])
    size = _choice(rng, attr("size")[persona])
    region = rng.integers(0, len(REGIONS), n)
    latent_risk = rng.lognormal(0.0, 0.5, n)  # persistent, partly visible through satisfaction
    rate = attr("orders_per_month")[persona] * rng.lognormal(0, 0.35, n)
    value = attr("order_value")[persona] * np.exp(rng.normal(0, attr("value_sigma")[persona]))
    growth = attr("growth")[persona] + rng.normal(0, 0.1, n)

    # Churn: monthly hazard, raised by latent risk; decline window before the loss.
    hazard = attr("churn_hazard")[persona] * latent_risk
    active_from = np.maximum(first_month, 0)
    waited = rng.geometric(np.clip(hazard, 1e-4, 0.5))
    churn_month = active_from + 3 + waited  # at least three active months
    churned = churn_month <= months - 1
    churn_month = np.where(churned, churn_month, months + 10_000)
    sudden = churned & (rng.random(n) < 0.2)
    lead = rng.integers(3, 9, n)  # months of warning signs

    m = np.arange(months)[None, :]
    since = (m - (churn_month - lead)[:, None]) / lead[:, None]  # 0 at decline start, 1 at churn
    decline = np.where(sudden[:, None], 0.0, np.clip(since, 0, 1))  # 0 = healthy, 1 = gone
    alive = (m >= active_from[:, None]) & (m < churn_month[:, None])
    years_in = (m - months + 1) / 12
    season = 1 + 0.25 * np.cos(2 * np.pi * (starts.month.to_numpy() - 12) / 12)
    expected_orders = (
        rate[:, None] * season[None, :] * np.exp(growth[:, None] * years_in) * (1 - 0.75 * decline) * alive
    )
    cust, month, frac = _renewal_orders(rng, expected_orders, attr("regularity")[persona])
    counts = np.zeros((n, months), dtype=int)
    np.add.at(counts, (cust, month), 1)
    # A new customer orders in its first-deal month, and everybody appears in the orders at least once.
    new_in_window = first_month >= 0
    must = np.where(
        new_in_window, first_month, np.where(counts.sum(axis=1) == 0, np.minimum(active_from, months - 1), -1)
    )
    add = np.nonzero((must >= 0) & (counts[np.arange(n), np.maximum(must, 0)] == 0))[0]
    cust, month, frac = np.r_[cust, add], np.r_[month, must[add]], np.r_[frac, np.zeros(len(add))]
    order = np.lexsort((frac, month, cust))
    orders = (cust[order], month[order], frac[order])
    first_deal_offset = rng.integers(0, 28, n)

    # Customer ids follow the house pattern C + yyyymm of the first deal + serial.
    history = 8 * 12  # window month j is month j + history of this longer calendar
    deal_dates = _month_starts(end_ts, months + history)[first_month + history] + pd.to_timedelta(
        first_deal_offset, unit="D"
    )
    order = np.lexsort((rng.random(n), deal_dates.to_numpy()))
    yyyymm = pd.Series(deal_dates.strftime("%Y%m"))
    serial = yyyymm.iloc[order].groupby(yyyymm.iloc[order]).cumcount() + 1
    width = max(3, len(str(int(serial.max()))))
    ids = np.empty(n, dtype=object)
    ids[order] = ("C" + yyyymm.iloc[order] + serial.astype(str).str.zfill(width)).to_numpy()
    ids = ids.astype(str)

    customers = _customers(rng, ids, persona, industry, size, region, deal_dates, active_from)
    transactions = _transactions(
        rng, ids, persona, orders, starts, days_in_month, value, decline, deal_dates, first_month
    )
    interactions = _interactions(rng, ids, persona, value, alive, decline, starts, days_in_month)
    surveys = _surveys(rng, ids, persona, alive, decline, latent_risk, starts, days_in_month)
    churn_dates = starts[np.minimum(churn_month, months - 1)] + pd.to_timedelta(rng.integers(0, 28, n), unit="D")
    churned_on = pd.Series(churn_dates, dtype="datetime64[us]").where(churned)
    churn_events = _churn_events(rng, ids, persona, churned, sudden, churn_dates, end_ts)
    truth = pd.DataFrame(
        {"customer_id": ids, "persona": np.array([p.name for p in PERSONAS])[persona], "churned_on": churned_on}
    )
    key = lambda f, *cols: f.sort_values(list(cols), kind="stable").reset_index(drop=True)  # noqa: E731
    return {
        "customers": key(customers, "customer_id"),
        "transactions": key(transactions, "customer_id", "order_date", "order_id"),
        "interactions": key(interactions, "customer_id", "date"),
        "surveys": key(surveys, "customer_id", "date"),
        "churn_events": key(churn_events, "customer_id"),
        "truth": key(truth, "customer_id"),
    }


def _customers(rng, ids, persona, industry, size, region, deal_dates, active_from) -> pd.DataFrame:
    n = len(ids)
    kinds = np.array([_NAME_KINDS[i] for i in INDUSTRIES])[industry]
    names = np.array(_NAME_PARTS)[rng.integers(0, len(_NAME_PARTS), n)] + kinds + "有限公司"
    names = pd.Series(names) + pd.Series(ids).str[-4:]  # unique and readable: 恒达科技有限公司0012
    employees = np.round(np.array([2000, 250, 30])[size] * rng.lognormal(0, 0.5, n))
    decision = np.maximum(1, rng.poisson(np.array([p.decision_chain for p in PERSONAS])[persona]))
    need = np.array(["comprehensive", "product", "service"])[
        _choice(
            rng,
            np.array([[0.6, 0.3, 0.1], [0.3, 0.5, 0.2], [0.1, 0.8, 0.1], [0.4, 0.5, 0.1], [0.2, 0.2, 0.6]])[persona],
        )
    ]
    preferred = np.array(CHANNELS)[_choice(rng, np.array([p.channel for p in PERSONAS])[persona])]
    contact = (
        np.array(_SURNAMES)[rng.integers(0, len(_SURNAMES), n)] + np.array(_GIVEN)[rng.integers(0, len(_GIVEN), n)]
    )
    phone = pd.Series(rng.choice(["138", "139", "186", "135", "152"], n)) + pd.Series(rng.integers(0, 10**8, n)).astype(
        str
    ).str.zfill(8)
    email = "contact" + pd.Series(ids).str.lower() + "@example.cn"
    return pd.DataFrame(
        {
            "customer_id": ids,
            "name": names,
            "industry": np.array(INDUSTRIES)[industry],
            "size_band": np.array(SIZES)[size],
            "region": np.array(REGIONS)[region],
            "first_deal_date": pd.Series(deal_dates, dtype="datetime64[us]"),
            "founded_year": (deal_dates.year.to_numpy() - rng.integers(1, 30, n)).astype(int),
            "employees": employees.astype(int),
            "need_type": need,
            "decision_chain_size": decision.astype(int),
            "preferred_channel": preferred,
            "owner": OWNERS[region * 8 + rng.integers(0, 8, n)],
            "contact_name": contact,
            "contact_phone": phone,
            "contact_email": email,
        }
    )


def _expand(rng, counts, starts, days_in_month):
    """Rows (customer index, month index, date) for a customer x month count matrix."""
    cust, month = np.nonzero(counts)
    k = counts[cust, month]
    cust, month = np.repeat(cust, k), np.repeat(month, k)
    day = np.floor(rng.random(len(cust)) * days_in_month[month]).astype(int)
    dates = starts.to_numpy()[month] + day.astype("timedelta64[D]")
    return cust, month, dates


def _renewal_orders(rng, intensity, regularity):
    """Order times of a renewal process whose gaps are gamma-distributed with mean one expected order.

    ``intensity`` (customers x months) is the expected orders per month; time runs on its
    cumulative sum, so seasonality, growth and decline stretch or squeeze the gaps. A shape
    (``regularity``) of 1 gives Poisson orders; higher shapes give customers who order on a cycle,
    as replenishment buyers do. Returns customer index, month index and position in the month.
    """
    n, months = intensity.shape
    cum = np.concatenate([np.zeros((n, 1)), np.cumsum(intensity, axis=1)], axis=1)
    total = cum[:, -1]
    gap = lambda rows: rng.gamma(regularity[rows], 1 / regularity[rows])  # noqa: E731
    now = rng.random(n) * gap(np.arange(n))  # the history starts part-way through a gap
    found_cust, found_time = [], []
    rows = np.nonzero(now < total)[0]
    while len(rows):
        found_cust.append(rows)
        found_time.append(now[rows])
        now[rows] += gap(rows)
        rows = rows[now[rows] < total[rows]]
    cust = np.concatenate(found_cust) if found_cust else np.zeros(0, dtype=int)
    time = np.concatenate(found_time) if found_time else np.zeros(0)
    # Find each order's month: one sorted search over all customers' cumulative curves, kept apart by an offset.
    step = float(total.max()) + 1.0
    keys = (cum + step * np.arange(n)[:, None]).ravel()
    flat = np.searchsorted(keys, time + step * cust, side="right") - 1
    month = np.minimum(flat - cust * (months + 1), months - 1)
    frac = (time - cum[cust, month]) / np.maximum(intensity[cust, month], 1e-12)
    return cust, month, np.clip(frac, 0.0, 0.999)


def _transactions(rng, ids, persona, orders, starts, days_in_month, value, decline, deal_dates, first_month):
    cust, month, frac = orders
    dates = starts.to_numpy()[month] + np.floor(frac * days_in_month[month]).astype("timedelta64[D]")
    # A new customer's first order falls on its first-deal date.
    deal = deal_dates.to_numpy()
    first_of = (first_month[cust] == month) & (first_month[cust] >= 0)
    first_row = np.r_[True, cust[1:] != cust[:-1]] & first_of
    dates = np.where(first_of, np.maximum(dates, deal[cust]), dates)  # nothing before the first deal
    dates = np.where(first_row, deal[cust], dates)
    dates = np.minimum(dates, (starts[-1] + pd.offsets.MonthEnd(0)).to_datetime64())
    shrink = 1 - 0.6 * decline[cust, month]
    order_value = value[cust] * shrink * rng.lognormal(0, 0.45, len(cust))
    n_orders = len(cust)
    lines = 1 + rng.poisson(0.3, n_orders)
    order_no = np.arange(n_orders)
    row_order = np.repeat(order_no, lines)
    weights = rng.random(len(row_order)) + 0.2
    weights /= np.bincount(row_order, weights)[row_order]
    cat = _choice(rng, np.array([p.category for p in PERSONAS])[persona[cust[row_order]]])
    amount = np.round(order_value[row_order] * weights, 2)
    product_no = rng.integers(1, 21, len(row_order))
    ymd = pd.Series(dates[row_order]).dt.strftime("%Y%m")
    return pd.DataFrame(
        {
            "customer_id": ids[cust[row_order]],
            "order_id": ("SO" + ymd + pd.Series(row_order).astype(str).str.zfill(7)).to_numpy(),
            "order_date": pd.Series(dates[row_order], dtype="datetime64[us]").dt.normalize(),
            "amount": amount,
            "quantity": np.maximum(1, rng.poisson(np.maximum(amount / 800, 1))),
            "product": np.array(CATEGORIES)[cat] + "-" + pd.Series(product_no).astype(str).str.zfill(2),
            "category": np.array(CATEGORIES)[cat],
        }
    )


def _interactions(rng, ids, persona, value, alive, decline, starts, days_in_month):
    # Contacts follow the policy by value (more for big accounts), with lapses per customer.
    value_boost = np.clip(np.log10(np.maximum(value, 1000)) - 3.3, 0.4, 1.8)
    diligence = rng.uniform(0.55, 1.1, len(ids))
    base = np.array([p.contacts_per_month for p in PERSONAS])[persona] * value_boost * diligence
    expected = base[:, None] * alive * (1 - 0.4 * decline)
    counts = rng.poisson(expected)
    cust, month, dates = _expand(rng, counts, starts, days_in_month)
    p = np.array([p_.channel for p_ in PERSONAS])[persona[cust]]
    channel = np.array(CHANNELS)[_choice(rng, p)]
    proactive = rng.random(len(cust)) < np.array([p_.proactive for p_ in PERSONAS])[persona[cust]]
    d = decline[cust, month]
    hours = (
        np.array([p_.response_hours for p_ in PERSONAS])[persona[cust]]
        * (1 + 2.5 * d)
        * rng.lognormal(0, 0.6, len(cust))
    )
    no_reply = rng.random(len(cust)) < 0.05 + 0.45 * d
    complaint_p = np.array([p_.complaint for p_ in PERSONAS])[persona[cust]] + 0.25 * d
    topic = np.where(
        rng.random(len(cust)) < complaint_p,
        "complaint",
        np.array(TOPICS[:-1])[rng.integers(0, len(TOPICS) - 1, len(cust))],
    )
    outcome = np.where(topic == "complaint", "escalated", np.where(no_reply, "no reply", "done"))
    return pd.DataFrame(
        {
            "customer_id": ids[cust],
            "date": pd.Series(dates, dtype="datetime64[us]").dt.normalize(),
            "channel": channel,
            "direction": np.where(proactive, "proactive", "inbound"),
            "owner": OWNERS[rng.integers(0, len(OWNERS), len(cust))],
            "response_hours": np.where(no_reply, np.nan, np.round(hours, 1)),
            "topic": topic,
            "outcome": outcome,
        }
    )


def _surveys(rng, ids, persona, alive, decline, latent_risk, starts, days_in_month):
    # A survey wave in the last month of each half-year; about 60% of live customers answer.
    wave = np.isin(starts.month.to_numpy(), [6, 12])
    answers = (rng.random(alive.shape) < 0.6) & alive & wave[None, :]
    cust, month, dates = _expand(rng, answers.astype(int), starts, days_in_month)
    mean = (
        np.array([p.satisfaction for p in PERSONAS])[persona[cust]]
        - 0.3 * np.log(latent_risk[cust])
        - 1.8 * decline[cust, month]
    )
    rating = np.clip(np.round(mean + rng.normal(0, 0.6, len(cust))), 1, 5).astype(int)
    comment = np.where(rating <= 2, "price too high or slow service", "")
    return pd.DataFrame(
        {
            "customer_id": ids[cust],
            "date": pd.Series(dates, dtype="datetime64[us]").dt.normalize(),
            "rating": rating,
            "comment": comment,
        }
    )


def _churn_events(rng, ids, persona, churned, sudden, churn_dates, end_ts):
    # Lost customers are noticed a few weeks after their last activity; the reason follows the signals.
    recorded = churn_dates + pd.to_timedelta(rng.integers(20, 60, len(ids)), unit="D")
    seen = churned & (recorded <= end_ts)
    price_p = np.where(persona == 2, 0.6, 0.2)
    reason = np.where(
        rng.random(len(ids)) < price_p,
        "price",
        np.array(["slow_response", "product_gap", "competitor"])[rng.integers(0, 3, len(ids))],
    )
    reason = np.where(sudden, np.array(["competitor", "closed_business"])[rng.integers(0, 2, len(ids))], reason)
    return pd.DataFrame(
        {"customer_id": ids[seen], "date": pd.Series(recorded[seen], dtype="datetime64[us]"), "reason": reason[seen]}
    )


def _write_csv(frame: pd.DataFrame, path: Path, encoding: str = "utf-8") -> None:
    """Plain CSV (UTF-8, or ``encoding``) with ISO dates, written by Arrow (20x faster than pandas here).

    No value of the generator holds a delimiter or a quote, so nothing is quoted; Arrow
    raises if that ever changes.
    """
    table = pa.Table.from_pandas(frame, preserve_index=False)
    for i, column in enumerate(table.column_names):
        if pa.types.is_timestamp(table.schema.field(i).type):
            table = table.set_column(i, column, table.column(i).cast(pa.date32()))
    sink = io.BytesIO()
    sink.write((",".join(table.column_names) + "\n").encode("utf-8"))
    pa_csv.write_csv(table, sink, write_options=pa_csv.WriteOptions(include_header=False, quoting_style="none"))
    data = sink.getvalue()
    with atomic_path(path) as partial:
        partial.write_bytes(data if encoding == "utf-8" else data.decode("utf-8").encode(encoding))


#: The first line of the mapping file written beside a Chinese sample (a later English sample removes it).
_MAPPING_MARK = "# Written by segmentation sample-data --language zh: reads the Chinese export into the contract."


def _write_mapping(path: Path, mapping: dict) -> None:
    text = yaml.safe_dump(mapping, allow_unicode=True, sort_keys=False, width=120)
    write_text(path, f"{_MAPPING_MARK}\n{text}")


def write_sample(
    out: str | Path,
    n_customers: int = 2000,
    *,
    random_state: int = 0,
    end: str = DEFAULT_END,
    years: int = 3,
    file_format: str = "csv",
    language: str = "en",
) -> dict[str, Path]:
    """Generate the sample and write one file per table (plus ``truth.csv``) into ``out``.

    Parameters
    ----------
    out : str or Path
        Folder to write into; created when missing.
    n_customers, random_state, end, years
        As in :func:`generate_sample`.
    file_format : {"csv", "parquet"}
        CSV files are UTF-8 with ISO dates, nothing quoted.
    language : {"en", "zh"}, default "en"
        ``"zh"`` writes the same data as a Chinese team's export (:mod:`segmentation.datasets.sample_zh`):
        Chinese file names, headers and values, CSV in GBK, and the ``mapping.yaml`` that reads it.

    Returns
    -------
    dict of Path
        The file written for each table (and ``mapping`` for a Chinese sample).

    Examples
    --------
    >>> import tempfile
    >>> paths = write_sample(tempfile.mkdtemp(), 50, random_state=2)
    >>> paths["transactions"].name
    'transactions.csv'
    """
    if file_format not in {"csv", "parquet"}:
        raise ValueError(f"file_format must be 'csv' or 'parquet', got {file_format!r}")
    if check_language(language) not in ("en", "zh"):
        raise ValueError(f"language must be 'en' or 'zh' (the sample exports), got {language!r}")
    chinese = check_language(language) == "zh"
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    tables = generate_sample(n_customers, random_state=random_state, end=end, years=years)
    if chinese:
        tables = to_chinese(tables)
    written = {}
    for table, frame in tables.items():
        suffix = "csv" if table == "truth" else file_format
        name = CHINESE_FILES[table] if chinese and table in CHINESE_FILES else f"{table}.csv"
        path = out / Path(name).with_suffix(f".{suffix}")
        other = f"{table}.*" if chinese else f"{Path(CHINESE_FILES.get(table, table)).stem}.*"
        for stale in [*out.glob(f"{path.stem}.*"), *out.glob(other)]:
            if stale != path:
                stale.unlink()
        if suffix == "csv":
            _write_csv(frame, path, encoding="gbk" if chinese and table != "truth" else "utf-8")
        else:
            with atomic_path(path) as partial:
                frame.to_parquet(partial, index=False)
        written[table] = path
    mapping = out / "mapping.yaml"
    if chinese:
        data = dict(MAPPING)
        data["files"] = {t: p.name for t, p in written.items() if t in CHINESE_FILES}
        _write_mapping(mapping, data)
        written["mapping"] = mapping
    elif mapping.is_file() and mapping.read_text(encoding="utf-8").startswith(_MAPPING_MARK):
        mapping.unlink()
    return written


__all__ = [
    "CATEGORIES",
    "CHANNELS",
    "DEFAULT_END",
    "INDUSTRIES",
    "OWNERS",
    "PERSONAS",
    "Persona",
    "REASONS",
    "REGIONS",
    "SIZES",
    "TOPICS",
    "generate_sample",
    "write_sample",
]
