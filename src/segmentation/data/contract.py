"""The data contract: which tables the workbench reads and what each column means.

This module is the single source of truth; ``docs/data-contract.md`` documents it for
people and a test keeps the two in step.

Examples
--------
>>> from segmentation.data.contract import TABLES
>>> TABLES["transactions"].required_columns
('customer_id', 'order_id', 'order_date', 'amount')
>>> TABLES["surveys"].required
False
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Kind = Literal["id", "text", "category", "date", "amount", "number", "rating", "integer"]
Need = Literal["required", "core", "optional"]

#: Values of ``interactions.direction``.
DIRECTIONS = ("proactive", "inbound")
#: Recommended values of ``interactions.channel`` (other values are kept as given).
CHANNELS = ("phone", "visit", "email", "online_meeting", "sms_chat", "event", "other")
#: Known values of ``churn_events.reason`` (another value is kept, and ``validate`` warns about it).
CHURN_REASONS = ("price", "slow_response", "product_gap", "competitor", "closed_business", "other")
#: Values of ``customers.need_type``.
NEED_TYPES = ("product", "service", "comprehensive")


@dataclass(frozen=True)
class ColumnSpec:
    """One column of a contract table.

    ``need`` is ``"required"`` (the table is refused without it), ``"core"`` (expected;
    analyses that use it say so when it is absent) or ``"optional"``.
    """

    name: str
    kind: Kind
    need: Need
    meaning: str
    personal: bool = False


@dataclass(frozen=True)
class TableSpec:
    """One table of the contract."""

    name: str
    required: bool
    meaning: str
    columns: tuple[ColumnSpec, ...]

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    @property
    def required_columns(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns if c.need == "required")

    @property
    def core_columns(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns if c.need == "core")

    def column(self, name: str) -> ColumnSpec:
        return next(c for c in self.columns if c.name == name)

    def columns_of_kind(self, *kinds: Kind) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns if c.kind in kinds)


def _c(name: str, kind: Kind, need: Need, meaning: str, personal: bool = False) -> ColumnSpec:
    return ColumnSpec(name, kind, need, meaning, personal)


TRANSACTIONS = TableSpec(
    "transactions",
    True,
    "One order or invoice line. The only table a team must have.",
    (
        _c("customer_id", "id", "required", "Customer id, any string; leading zeros are kept."),
        _c("order_id", "id", "required", "Order or invoice id; several lines may share one."),
        _c("order_date", "date", "required", "Date of the order."),
        _c("amount", "amount", "required", "Line amount in the team's currency; negative = refund."),
        _c("quantity", "number", "optional", "Units on the line."),
        _c("product", "category", "optional", "Product name or code."),
        _c("category", "category", "optional", "Product category."),
    ),
)

CUSTOMERS = TableSpec(
    "customers",
    False,
    "One customer (company or person). Derived from transactions when absent.",
    (
        _c("customer_id", "id", "required", "Customer id, unique in this table."),
        _c("name", "text", "core", "Customer (company) name."),
        _c("industry", "category", "core", "Industry."),
        _c("size_band", "category", "core", "Size band: large, mid or small (or the team's own)."),
        _c("region", "category", "core", "Sales region."),
        _c("first_deal_date", "date", "core", "Date of the first deal; tenure counts from it."),
        _c("founded_year", "integer", "optional", "Year the company was founded."),
        _c("employees", "number", "optional", "Number of employees."),
        _c("need_type", "category", "optional", "product, service or comprehensive."),
        _c("decision_chain_size", "number", "optional", "People involved in a purchase decision."),
        _c("preferred_channel", "category", "optional", "Contact channel the customer prefers."),
        _c("owner", "category", "optional", "Account owner (staff code)."),
        _c("contact_name", "text", "optional", "Contact person. Personal data: masked in outputs.", True),
        _c("contact_phone", "text", "optional", "Contact phone. Personal data: masked in outputs.", True),
        _c("contact_email", "text", "optional", "Contact e-mail. Personal data: masked in outputs.", True),
    ),
)

INTERACTIONS = TableSpec(
    "interactions",
    False,
    "One follow-up contact between the team and a customer.",
    (
        _c("customer_id", "id", "required", "Customer id."),
        _c("date", "date", "required", "Date of the contact."),
        _c("channel", "category", "required", "phone, visit, email, online_meeting, sms_chat, event, other."),
        _c("direction", "category", "required", "proactive (by us) or inbound (from the customer)."),
        _c("owner", "category", "core", "Staff member who made or took the contact (staff code)."),
        _c("response_hours", "number", "core", "Hours until the other side responded; empty = no reply."),
        _c("topic", "text", "optional", "Topic; 'complaint' (or a complaint keyword) marks a complaint."),
        _c("outcome", "text", "optional", "Outcome or next action."),
    ),
)

SURVEYS = TableSpec(
    "surveys",
    False,
    "One satisfaction answer.",
    (
        _c("customer_id", "id", "required", "Customer id."),
        _c("date", "date", "required", "Date of the answer."),
        _c("rating", "rating", "required", "1 (very unsatisfied) to 5 (very satisfied); words are mapped."),
        _c("comment", "text", "optional", "Free-text comment."),
    ),
)

CHURN_EVENTS = TableSpec(
    "churn_events",
    False,
    "One lost customer, with the reason the team recorded.",
    (
        _c("customer_id", "id", "required", "Customer id."),
        _c("date", "date", "required", "Date the customer was recorded as lost."),
        _c("reason", "category", "required", "price, slow_response, product_gap, competitor, closed_business, other."),
    ),
)

#: Every table of the contract, by name, in load order.
TABLES: dict[str, TableSpec] = {t.name: t for t in (TRANSACTIONS, CUSTOMERS, INTERACTIONS, SURVEYS, CHURN_EVENTS)}

#: File endings the readers understand.
FILE_SUFFIXES = (".csv", ".txt", ".tsv", ".parquet", ".xlsx", ".xls")  # .xls: found, to say it must be saved as .xlsx


def table_markdown(table: str) -> str:
    """The Markdown table documenting ``table`` (used in ``docs/data-contract.md``).

    Examples
    --------
    >>> print(table_markdown("surveys").splitlines()[2])
    | `customer_id` | id | required | Customer id. |
    """
    rows = ["| column | type | need | meaning |", "| --- | --- | --- | --- |"]
    rows += [f"| `{c.name}` | {c.kind} | {c.need} | {c.meaning} |" for c in TABLES[table].columns]
    return "\n".join(rows)


__all__ = [
    "CHANNELS",
    "CHURN_EVENTS",
    "CHURN_REASONS",
    "CUSTOMERS",
    "ColumnSpec",
    "DIRECTIONS",
    "FILE_SUFFIXES",
    "INTERACTIONS",
    "NEED_TYPES",
    "SURVEYS",
    "TABLES",
    "TRANSACTIONS",
    "TableSpec",
    "table_markdown",
]
