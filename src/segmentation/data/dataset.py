"""The typed, validated data a team loaded: one object handed to every analysis.

Examples
--------
>>> import pandas as pd
>>> tx = pd.DataFrame({"customer_id": ["007"], "order_id": ["o1"],
...                    "order_date": pd.to_datetime(["2024-03-01"]), "amount": [10.0]})
>>> ds = Dataset.from_frames(transactions=tx)
>>> ds.customers["customer_id"].tolist(), ds.customers_derived, ds.missing_tables()
(['007'], True, ['customers', 'interactions', 'surveys', 'churn_events'])
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from segmentation.data.contract import TABLES
from segmentation.data.engine import OrderLines
from segmentation.data.load_report import LoadReport


def empty_table(table: str) -> pd.DataFrame:
    """An empty frame with the contract columns of ``table`` and their dtypes."""
    dtypes = {"date": "datetime64[us]", "amount": float, "number": float, "rating": float, "integer": float}
    return pd.DataFrame({c.name: pd.Series(dtype=dtypes.get(c.kind, "str")) for c in TABLES[table].columns})


def derive_customers(transactions: pd.DataFrame | OrderLines) -> pd.DataFrame:
    """A customer table with one row per customer id seen in the orders; other fields missing."""
    if isinstance(transactions, OrderLines):
        ids = pd.Series(transactions.customer_ids(), dtype="str")
    else:
        ids = pd.Series(sorted(transactions["customer_id"].unique()), dtype="str")
    frame = empty_table("customers").reindex(range(len(ids)))
    frame["customer_id"] = ids
    return frame


@dataclass(frozen=True, eq=False, init=False)
class Dataset:
    """Validated contract tables. Optional tables are ``None`` when the team has none.

    Attributes
    ----------
    transactions : DataFrame
        Purchase lines (refunds are kept apart in ``refunds``). When the lines are held in the
        engine (``lines``), this copies them into a frame on first use.
    lines : OrderLines or None
        The purchase lines held in the engine (DuckDB or Spark), when the loader put them there:
        the workbench's own computations read them there. None for a data set built from frames.
    customers : DataFrame
        One row per customer; derived from ``transactions`` when no customer file was given.
    interactions, surveys, churn_events : DataFrame or None
    refunds : DataFrame
        Lines with a negative amount, excluded from ``transactions`` and counted in the report.
    report : LoadReport
    customers_derived : bool
    language : str or None
        The mapping file's ``language`` (the reports' default language), None when it names none:
        ``segmentation.i18n.resolve_language(None, dataset)`` reads it.
    """

    customers: pd.DataFrame
    interactions: pd.DataFrame | None
    surveys: pd.DataFrame | None
    churn_events: pd.DataFrame | None
    refunds: pd.DataFrame
    report: LoadReport
    customers_derived: bool
    language: str | None
    lines: OrderLines | None
    _frame: pd.DataFrame | None = field(repr=False)

    def __init__(
        self,
        transactions: pd.DataFrame | None = None,
        customers: pd.DataFrame | None = None,
        interactions: pd.DataFrame | None = None,
        surveys: pd.DataFrame | None = None,
        churn_events: pd.DataFrame | None = None,
        refunds: pd.DataFrame | None = None,
        report: LoadReport | None = None,
        customers_derived: bool = False,
        language: str | None = None,
        lines: OrderLines | None = None,
    ):
        if (transactions is None) == (lines is None):
            raise TypeError("a Dataset takes its order lines either as transactions (a frame) or as lines")
        if customers is None:
            raise TypeError("a Dataset needs its customers (derive_customers gives them from the lines)")
        values = {
            "customers": customers,
            "interactions": interactions,
            "surveys": surveys,
            "churn_events": churn_events,
            "refunds": empty_table("transactions") if refunds is None else refunds,
            "report": LoadReport("frames") if report is None else report,
            "customers_derived": customers_derived,
            "language": language,
            "lines": lines,
            "_frame": transactions,
        }
        for name, value in values.items():
            object.__setattr__(self, name, value)

    @property
    def transactions(self) -> pd.DataFrame:
        """The purchase lines as a pandas frame (copied out of the engine once, on first use)."""
        if self._frame is None:
            object.__setattr__(self, "_frame", self.lines.to_pandas())
        return self._frame

    @classmethod
    def from_frames(
        cls,
        *,
        transactions: pd.DataFrame,
        customers: pd.DataFrame | None = None,
        interactions: pd.DataFrame | None = None,
        surveys: pd.DataFrame | None = None,
        churn_events: pd.DataFrame | None = None,
    ) -> Dataset:
        """Wrap frames that already follow the contract (tests, notebooks, other tools).

        No repair is done here; use :func:`segmentation.load_dataset` for raw files.
        """
        derived = customers is None
        return cls(
            transactions=transactions,
            customers=derive_customers(transactions) if derived else customers,
            interactions=interactions,
            surveys=surveys,
            churn_events=churn_events,
            customers_derived=derived,
        )

    def has(self, table: str) -> bool:
        """Whether the team supplied ``table`` (derived customers do not count)."""
        if table == "customers":
            return not self.customers_derived
        return getattr(self, table) is not None

    def missing_tables(self) -> list[str]:
        """Contract tables the team did not supply, in contract order."""
        return [t for t in TABLES if not self.has(t)]


__all__ = ["Dataset", "derive_customers", "empty_table"]
