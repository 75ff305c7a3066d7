"""A first look at a data set: customers, orders and revenue by year.

Examples
--------
>>> import pandas as pd
>>> from segmentation.data.dataset import Dataset
>>> tx = pd.DataFrame({"customer_id": ["a", "a", "b"], "order_id": ["1", "2", "3"],
...                    "order_date": pd.to_datetime(["2023-05-01", "2024-02-01", "2024-03-01"]),
...                    "amount": [10.0, 20.0, 5.0]})
>>> yearly_overview(Dataset.from_frames(transactions=tx)).to_dict("records")
[{'year': 2023, 'customers': 1, 'new_customers': 1, 'orders': 1, 'revenue': 10.0}, {'year': 2024, 'customers': 2, 'new_customers': 1, 'orders': 2, 'revenue': 25.0}]
"""

from __future__ import annotations

import pandas as pd

from segmentation.data.dataset import Dataset


def yearly_overview(data: Dataset) -> pd.DataFrame:
    """Buying customers, new customers, orders and revenue per year.

    A customer is new in the year of its ``first_deal_date`` when the customer table has
    one, else in the year of its first order in the data.

    Parameters
    ----------
    data : Dataset

    Returns
    -------
    DataFrame
        Columns ``year, customers, new_customers, orders, revenue``, one row per calendar
        year with orders.
    """
    tx = data.transactions
    year = tx["order_date"].dt.year.rename("year")
    first = tx.groupby("customer_id")["order_date"].min()
    if "first_deal_date" in data.customers:
        deal = data.customers.set_index("customer_id")["first_deal_date"].reindex(first.index)
        first = deal.fillna(first)
    first_year = first.dt.year
    table = tx.groupby(year).agg(
        customers=("customer_id", "nunique"), orders=("order_id", "nunique"), revenue=("amount", "sum")
    )
    table.insert(1, "new_customers", first_year.value_counts().reindex(table.index, fill_value=0))
    return table.reset_index().astype({"year": int, "customers": int, "new_customers": int, "orders": int})


__all__ = ["yearly_overview"]
