"""The sample as a Chinese team's export: Chinese file names, headers and values, GBK, and its mapping.

:func:`to_chinese` rewrites the English sample tables (same seed, same customers, orders and contacts)
the way a Chinese CRM exports them: headers such as 客户编号/订单号/下单日期/金额, channels 电话/拜访/微信/
邮件, topics such as 投诉, churn reasons such as 价格原因, ratings as words (满意), dates as 2024/03/05.
:data:`MAPPING` is the ``mapping.yaml`` that reads it back into the contract; loading the Chinese files
through it gives the English sample's tables, except the free text (``product``, ``outcome``,
``comment``), which stays Chinese.

Examples
--------
>>> from segmentation.datasets.sample import generate_sample
>>> tables = to_chinese(generate_sample(20, random_state=1))
>>> list(tables["transactions"].columns)[:4]
['客户编号', '订单号', '下单日期', '金额']
>>> sorted(set(tables["interactions"]["渠道"])) <= sorted(WORDS["channel"].values())
True
"""

from __future__ import annotations

import pandas as pd

#: The file each table is exported to.
FILES = {
    "transactions": "订单明细.csv",
    "customers": "客户档案.csv",
    "interactions": "跟进记录.csv",
    "surveys": "满意度调查.csv",
    "churn_events": "流失客户.csv",
}
#: The export's header for each contract column, per table.
HEADERS: dict[str, dict[str, str]] = {
    "transactions": {
        "customer_id": "客户编号",
        "order_id": "订单号",
        "order_date": "下单日期",
        "amount": "金额",
        "quantity": "数量",
        "product": "产品",
        "category": "产品类别",
    },
    "customers": {
        "customer_id": "客户编号",
        "name": "客户名称",
        "industry": "行业",
        "size_band": "规模",
        "region": "区域",
        "first_deal_date": "首次成交日期",
        "founded_year": "成立年份",
        "employees": "员工人数",
        "need_type": "需求类型",
        "decision_chain_size": "决策链人数",
        "preferred_channel": "偏好渠道",
        "owner": "客户经理",
        "contact_name": "联系人",
        "contact_phone": "联系电话",
        "contact_email": "联系邮箱",
    },
    "interactions": {
        "customer_id": "客户编号",
        "date": "跟进日期",
        "channel": "渠道",
        "direction": "发起方",
        "owner": "跟进人",
        "response_hours": "响应时长",
        "topic": "跟进类型",
        "outcome": "结果",
    },
    "surveys": {"customer_id": "客户编号", "date": "调研日期", "rating": "满意度", "comment": "意见"},
    "churn_events": {"customer_id": "客户编号", "date": "流失日期", "reason": "流失原因"},
}
#: The export's word for each contract value, per column (the mapping's ``values:`` reverses it).
WORDS: dict[str, dict[str, str]] = {
    "channel": {
        "phone": "电话",
        "visit": "拜访",
        "email": "邮件",
        "online_meeting": "视频会议",
        "sms_chat": "微信",
        "event": "活动",
    },
    "direction": {"proactive": "我方主动", "inbound": "客户发起"},
    "topic": {
        "follow-up": "日常跟进",
        "quote": "报价",
        "support": "技术支持",
        "renewal": "续约",
        "training": "培训",
        "complaint": "投诉",
    },
    "reason": {
        "price": "价格原因",
        "slow_response": "响应慢",
        "product_gap": "产品不满足需求",
        "competitor": "被竞争对手抢走",
        "closed_business": "客户停业",
    },
    "industry": {
        "manufacturing": "制造业",
        "energy": "能源",
        "technology": "科技",
        "retail": "零售",
        "wholesale": "批发",
        "construction": "建筑",
        "healthcare": "医疗",
        "logistics": "物流",
    },
    "size_band": {"large": "大型", "mid": "中型", "small": "小型"},
    "region": {"east": "华东", "north": "华北", "south": "华南", "west": "西部", "central": "华中"},
    "need_type": {"comprehensive": "综合", "product": "产品", "service": "服务"},
    "category": {"hardware": "硬件", "software": "软件", "services": "服务", "consumables": "耗材", "training": "培训"},
}
#: Ratings as the survey tool writes them (words the loader knows without a mapping).
RATINGS = {5: "非常满意", 4: "满意", 3: "一般", 2: "不满意", 1: "非常不满意"}
#: Free text, translated one way (the loader keeps free text as written).
TEXTS = {
    "outcome": {"escalated": "已升级处理", "no reply": "客户未回复", "done": "已完成"},
    "comment": {"price too high or slow service": "价格偏高或服务响应慢"},
}
#: The columns whose values come back in Chinese (free text; every other column maps back to the contract).
FREE_TEXT = {"transactions": ("product",), "interactions": ("outcome",), "surveys": ("comment",)}
#: How the export writes dates.
DATE_FORMAT = "%Y/%m/%d"

#: The mapping file that reads the export (written as ``mapping.yaml`` beside it).
MAPPING = {
    "language": "zh",
    "files": dict(FILES),
    "columns": {table: {zh: column for column, zh in headers.items()} for table, headers in HEADERS.items()},
    "values": {column: {zh: value for value, zh in words.items()} for column, words in WORDS.items()},
}


def _column(frame: pd.DataFrame, column: str) -> pd.Series:
    values = frame[column]
    if pd.api.types.is_datetime64_any_dtype(values):
        return values.dt.strftime(DATE_FORMAT).fillna("")
    words = WORDS.get("channel" if column == "preferred_channel" else column)
    if words:
        return values.map(lambda v: words.get(v, v))
    if column == "rating":
        return values.map(RATINGS)
    if column in TEXTS:
        return values.map(lambda v: TEXTS[column].get(v, v))
    if column == "product":  # hardware-07 -> 硬件-07
        parts = values.str.partition("-")
        return parts[0].map(WORDS["category"]) + "-" + parts[2]
    return values


def to_chinese(tables: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """The contract tables as a Chinese team exports them (``truth`` is kept as it is).

    Parameters
    ----------
    tables : dict of DataFrame
        From :func:`~segmentation.datasets.sample.generate_sample`.

    Returns
    -------
    dict of DataFrame
        The same tables with Chinese headers and values (dates as text such as 2025/09/30).

    Examples
    --------
    >>> import pandas as pd
    >>> churn = pd.DataFrame({"customer_id": ["C1"], "date": pd.to_datetime(["2025-03-05"]), "reason": ["price"]})
    >>> to_chinese({"churn_events": churn})["churn_events"].values.tolist()
    [['C1', '2025/03/05', '价格原因']]
    """
    out = {}
    for table, frame in tables.items():
        if table not in HEADERS:
            out[table] = frame
            continue
        out[table] = pd.DataFrame({HEADERS[table][c]: _column(frame, c) for c in frame.columns})
    return out


__all__ = ["DATE_FORMAT", "FILES", "FREE_TEXT", "HEADERS", "MAPPING", "RATINGS", "TEXTS", "WORDS", "to_chinese"]
