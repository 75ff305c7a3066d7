"""Findings about loaded data that would mislead an analysis without stopping it.

Each finding is a warning in the load report (so ``segmentation validate`` prints it) naming the value,
its count and the mapping line that fixes it:

- a contact channel outside the contract's channels, the ones the contact rules name, on more than
  :data:`CHANNEL_SHARE` of the contacts: its contacts never count as a call or a visit, so customers look
  overdue;
- a churn reason outside the known categories;
- no contact counted as a complaint, or a complaint rule of the mapping that matched nothing;
- (a note, not a warning: a mapping serves many exports) a word under ``values:`` that occurs nowhere in the data;
- a tier of a policy that holds no customer (:func:`empty_tier_problems`; the value stage counts the tiers);
- dates that contradict each other across tables (:func:`contradiction_problems`): a first deal after
  the customer's first order, orders after the customer was recorded as lost, a loss before any order.

Examples
--------
>>> import pandas as pd
>>> contacts = pd.DataFrame({"channel": ["电话"] * 3 + ["visit"] * 7})
>>> print(channel_problems(contacts, "interactions.csv", "mapping.yaml")[0].message)
3 contacts (30%) have channel '电话', which no contact rule names: they never count as a call or a visit, so customers look overdue; add to mapping.yaml: values: {channel: {电话: phone}}
"""

from __future__ import annotations

from collections.abc import Collection, Mapping

import pandas as pd

from segmentation.data.complaints import Complaints
from segmentation.data.contract import CHANNELS, CHURN_REASONS
from segmentation.data.privacy import redact_contacts
from segmentation.errors import Problem, problem_at

#: Share of contacts above which a channel no contact rule names is a warning.
CHANNEL_SHARE = 0.05
#: Likely contract values for common words of Chinese exports, used to suggest a mapping line.
HINTS: dict[str, dict[str, str]] = {
    "channel": {
        "电话": "phone",
        "電話": "phone",
        "来电": "phone",
        "拜访": "visit",
        "拜訪": "visit",
        "上门": "visit",
        "邮件": "email",
        "郵件": "email",
        "微信": "sms_chat",
        "短信": "sms_chat",
        "视频会议": "online_meeting",
        "線上會議": "online_meeting",
        "线上会议": "online_meeting",
        "活动": "event",
        "活動": "event",
    },
    "reason": {
        "价格原因": "price",
        "價格原因": "price",
        "价格": "price",
        "响应慢": "slow_response",
        "響應慢": "slow_response",
        "产品不满足需求": "product_gap",
        "產品不滿足需求": "product_gap",
        "被竞争对手抢走": "competitor",
        "被競爭對手搶走": "competitor",
        "竞争对手": "competitor",
        "客户停业": "closed_business",
        "客戶停業": "closed_business",
    },
}


def _mapping_line(column: str, value: str, fallback: str) -> str:
    target = HINTS.get(column, {}).get(value, fallback)
    return f"values: {{{column}: {{{value}: {target}}}}}"


def channel_problems(
    interactions: pd.DataFrame, file: str, mapping_file: str, *, named: Collection[str] = CHANNELS
) -> list[Problem]:
    """Warn about each channel that no contact rule names (not in ``named``) on more than 5% of the contacts.

    Parameters
    ----------
    interactions : DataFrame
        Loaded contacts.
    file, mapping_file : str
        The interactions file and the mapping file the message names.
    named : collection of str, default the contract's channels
        The channels the contact rules may name.

    Examples
    --------
    >>> import pandas as pd
    >>> channel_problems(pd.DataFrame({"channel": ["phone", "wechat"]}), "i.csv", "mapping.yaml")[0].count
    1
    """
    if "channel" not in interactions.columns or interactions.empty:
        return []
    counts = interactions["channel"].value_counts()
    share = counts / len(interactions)
    problems = []
    for value, n in counts.items():
        if value in named or share[value] <= CHANNEL_SHARE:
            continue
        line = _mapping_line("channel", str(value), "phone")
        problems.append(
            Problem(
                "warning",
                file,
                "channel",
                f"{n:,} contacts ({share[value]:.0%}) have channel {value!r}, which no contact rule names: they never "
                f"count as a call or a visit, so customers look overdue; add to {mapping_file}: {line}",
                expected=f"one of {', '.join(CHANNELS)}",
                count=int(n),
            )
        )
    return problems


def reason_problems(churn_events: pd.DataFrame, file: str, mapping_file: str) -> list[Problem]:
    """Warn about each churn reason outside :data:`~segmentation.data.contract.CHURN_REASONS`.

    Examples
    --------
    >>> import pandas as pd
    >>> events = pd.DataFrame({"reason": ["价格原因", "price"], "_row": [2, 3]})
    >>> print(reason_problems(events, "churn_events.csv", "mapping.yaml")[0])
    WARNING churn_events.csv, column 'reason', row 2: 1 churn event has reason '价格原因', which is not a known churn reason; add to mapping.yaml: values: {reason: {价格原因: price}}; expected one of price, slow_response, product_gap, competitor, closed_business, other
    """
    if "reason" not in churn_events.columns:
        return []
    rows = churn_events["_row"] if "_row" in churn_events.columns else churn_events.index.to_series() + 2
    unknown = churn_events["reason"].notna() & ~churn_events["reason"].isin(CHURN_REASONS)
    problems = []
    for value, group in rows[unknown].groupby(churn_events.loc[unknown, "reason"], sort=True):
        n = len(group)
        events = "churn event has" if n == 1 else "churn events have"
        problems.append(
            problem_at(
                "warning",
                file,
                "reason",
                f"{n:,} {events} reason {value!r}, which is not a known churn reason; add to {mapping_file}: "
                + _mapping_line("reason", str(value), "other"),
                group,
                expected=f"one of {', '.join(CHURN_REASONS)}",
            )
        )
    return problems


def complaint_problems(
    interactions: pd.DataFrame, found: Complaints, file: str, mapping_file: str, *, column: str, declared: list[str]
) -> list[Problem]:
    """The complaint count as a note, a warning when no contact is a complaint or a declared rule matched nothing.

    ``declared`` lists the rules the mapping file added (they are named when they match nothing).

    Examples
    --------
    >>> import pandas as pd
    >>> from segmentation.data.complaints import find_complaints
    >>> contacts = pd.DataFrame({"topic": ["客户反馈", "客户反馈", "quote"]})
    >>> print(complaint_problems(contacts, find_complaints(contacts), "i.csv", "mapping.yaml", column="topic",
    ...                          declared=[])[0].message)  # doctest: +NORMALIZE_WHITESPACE
    no contact counted as a complaint: no topic is a complaint value and none holds a complaint keyword; the most
    frequent topics are '客户反馈' (2), 'quote' (1); if one marks a complaint add to mapping.yaml: values: {topic:
    {客户反馈: complaint}}
    """
    if interactions.empty:
        return []
    if column not in interactions.columns:
        return [Problem("info", file, column, "no contact can be counted as a complaint: the column is absent")]
    problems = []
    total = int(found.flags.sum())
    if total:
        rules = ", ".join(f"{n:,} by {rule}" for rule, n in found.counts.items())
        counted = f"{total:,} contacts counted as complaints" if total != 1 else "1 contact counted as a complaint"
        problems.append(Problem("info", file, column, f"{counted}: {rules}"))
    else:
        top = interactions[column].value_counts().head(3)
        # Quoted data may be free text holding a phone or an e-mail: masked like every output.
        listed = ", ".join(f"{redact_contacts(str(value))!r} ({n:,})" for value, n in top.items())
        example = str(redact_contacts(str(top.index[0]))) if len(top) else "投诉"
        fix = (
            f"values: {{topic: {{{example}: complaint}}}}"
            if column == "topic"
            else f"complaints: {{keywords: {{zh: [{example}]}}}}"
        )
        problems.append(
            Problem(
                "warning",
                file,
                column,
                f"no contact counted as a complaint: no {column} is a complaint value and none holds a complaint "
                f"keyword; the most frequent {column}s are {listed}; if one marks a complaint add to {mapping_file}: "
                + fix,
            )
        )
    for rule in declared:
        if rule in found.silent:
            problems.append(
                Problem("warning", mapping_file, None, f"the complaint rule {rule} of the mapping matched no contact")
            )
    return problems


def unused_word_problems(
    words: Mapping[str, Mapping[str, object]], seen: Mapping[str, set[str]], files: Mapping[str, str], mapping_file: str
) -> list[Problem]:
    """Note each word under ``values:`` that occurs in none of the loaded files with that column.

    A note, not a warning: one mapping file serves every quarter's export, and a reason nobody gave this
    quarter is no mistake; a misspelt word shows anyway, as the warning about the value it failed to map.

    ``seen`` holds, per column, the (lower-cased) words found in the data; ``files`` the loaded files per column.

    Examples
    --------
    >>> print(unused_word_problems({"channel": {"电话": "phone", "拜访": "visit"}}, {"channel": {"电话"}},
    ...                            {"channel": "interactions.csv"}, "mapping.yaml")[0].message)
    values.channel: '拜访' occurs nowhere in interactions.csv; check its spelling
    """
    problems = []
    for column, mapped in words.items():
        if column not in files:
            continue
        unused = [w for w in mapped if w not in seen.get(column, set())]
        if unused:
            listed = ", ".join(repr(w) for w in unused)
            problems.append(
                Problem(
                    "info",
                    mapping_file,
                    None,
                    f"values.{column}: {listed} occur{'s' if len(unused) == 1 else ''} nowhere in {files[column]}; "
                    "check " + ("its" if len(unused) == 1 else "their") + " spelling",
                )
            )
    return problems


def empty_tier_problems(
    sizes: Mapping[str, int],
    *,
    policy: str,
    as_of: str,
    bands: Mapping[str, str],
    highest: float | None = None,
    file: str = "transactions",
) -> list[Problem]:
    """Warn about each tier of ``policy`` with no customer as of ``as_of``.

    Parameters
    ----------
    sizes : mapping of tier to customers
    policy, as_of : str
        Named in the message.
    bands : mapping of tier to its band in words ("trailing-12-month revenue >= 500,000").
    highest : float, optional
        The largest value of the policy's metric, to show how far the data is from the empty tiers.
    file : str, default "transactions"
        The file the warning names (the tiers are graded on its amounts).

    Examples
    --------
    >>> print(empty_tier_problems({"A": 0, "B": 3}, policy="abc", as_of="2025-09-30",
    ...                           bands={"A": "revenue >= 500,000"}, highest=52.3)[0].message)
    tier A of policy abc has no customer as of 2025-09-30 (revenue >= 500,000; the highest is 52.30): check the amounts' unit (yuan, not 万) or choose a policy that fits
    """
    problems = []
    for tier, n in sizes.items():
        if n:
            continue
        top = f"; the highest is {highest:,.2f}" if highest is not None else ""
        band = bands.get(tier, "")
        problems.append(
            Problem(
                "warning",
                file,
                None,
                f"tier {tier} of policy {policy} has no customer as of {as_of} ({band}{top}): check the amounts' "
                "unit (yuan, not 万) or choose a policy that fits",
            )
        )
    return problems


__all__ = [
    "CHANNEL_SHARE",
    "HINTS",
    "channel_problems",
    "complaint_problems",
    "contradiction_problems",
    "empty_tier_problems",
    "reason_problems",
    "unused_word_problems",
]


def _day(value: object) -> str:
    return f"{pd.Timestamp(value):%Y-%m-%d}"


def contradiction_problems(
    orders: pd.DataFrame,
    customers: pd.DataFrame | None,
    churn_events: pd.DataFrame | None,
    files: Mapping[str, str],
) -> list[Problem]:
    """Warn about dates in one table that another table contradicts.

    Parameters
    ----------
    orders : DataFrame
        Each customer's ``first_order`` and ``last_order`` date, indexed by ``customer_id``.
    customers, churn_events : DataFrame or None
        The tables as loaded, with ``_row`` (the row in the file).
    files : mapping
        The file name of each table, for messages.

    Returns
    -------
    list of Problem
        Warnings with the count, the rows and examples: a ``first_deal_date`` after the customer's
        first order (tenure then counts from the later date); orders after a churn event's date (the
        churn analyses take the customer as lost from then); a churn event before the customer's
        first order, or for a customer without orders.

    Examples
    --------
    >>> import pandas as pd
    >>> orders = pd.DataFrame({"first_order": pd.to_datetime(["2024-01-05"]), "last_order": pd.to_datetime(["2024-09-01"])},
    ...                       index=pd.Index(["C1"], name="customer_id"))
    >>> lost = pd.DataFrame({"customer_id": ["C1"], "date": pd.to_datetime(["2024-06-30"]), "_row": [2]})
    >>> print(contradiction_problems(orders, None, lost, {"churn_events": "churn_events.csv"})[0])
    WARNING churn_events.csv, column 'date', row 2: 1 customer recorded as lost kept ordering afterwards: the churn analyses take them as lost from that date, so their later orders do not bring them back (got 'C1: lost 2024-06-30, ordered until 2024-09-01'); expected a churn event dated after the customer's last order, or removed if the customer came back
    """
    found: list[Problem] = []
    if customers is not None and "first_deal_date" in customers.columns:
        deal = customers.set_index("customer_id")["first_deal_date"]
        first = orders["first_order"].reindex(deal.index)
        late = (deal > first).to_numpy()
        if late.any():
            ids = deal.index[late]
            n = len(ids)
            found.append(
                problem_at(
                    "warning",
                    files.get("customers", "customers.csv"),
                    "first_deal_date",
                    f"{n:,} customer{'s have' if n != 1 else ' has'} a first deal dated after their first order: "
                    "tenure counts from the first deal, so it is shorter than the orders show",
                    customers["_row"].to_numpy()[late],
                    expected="a first deal on or before the first order (or no date: tenure then counts from the "
                    "first order)",
                    examples=[
                        f"{c}: first deal {_day(d)}, first order {_day(o)}"
                        for c, d, o in zip(ids, deal[late], first[late], strict=True)
                    ],
                )
            )
    if churn_events is not None and len(churn_events):
        span = orders.reindex(churn_events["customer_id"])
        lost = churn_events["date"].to_numpy()
        before = ~(span["first_order"].to_numpy() <= lost)  # before the first order, or no order at all
        after = (span["last_order"].to_numpy() > lost) & ~before  # lost between their first and last order
        file = files.get("churn_events", "churn_events.csv")
        if after.any():
            ids = churn_events["customer_id"].to_numpy()[after]
            n = len(set(ids))
            found.append(
                problem_at(
                    "warning",
                    file,
                    "date",
                    f"{n:,} customer{'s' if n != 1 else ''} recorded as lost kept ordering afterwards: the churn "
                    "analyses take them as lost from that date, so their later orders do not bring them back",
                    churn_events["_row"].to_numpy()[after],
                    expected="a churn event dated after the customer's last order, or removed if the customer came back",
                    examples=[
                        f"{c}: lost {_day(d)}, ordered until {_day(o)}"
                        for c, d, o in zip(ids, lost[after], span["last_order"].to_numpy()[after], strict=True)
                    ],
                )
            )
        if before.any():
            ids = churn_events["customer_id"].to_numpy()[before]
            n = len(set(ids))
            firsts = span["first_order"].to_numpy()[before]
            found.append(
                problem_at(
                    "warning",
                    file,
                    "date",
                    f"{n:,} customer{'s' if n != 1 else ''} recorded as lost before their first order (or without "
                    "any order): the churn analyses cannot count them as lost customers",
                    churn_events["_row"].to_numpy()[before],
                    expected="a churn event dated after the customer's orders",
                    examples=[
                        f"{c}: lost {_day(d)}, " + ("no order" if pd.isna(o) else f"first order {_day(o)}")
                        for c, d, o in zip(ids, lost[before], firsts, strict=True)
                    ],
                )
            )
    return found
