"""segmentation: a customer-analytics workbench.

Turns a team's raw customer data (orders, customers, contacts, surveys) into RFM scores,
value tiers, personas, churn-risk lists, lifetime value and quarterly reports.

Examples
--------
>>> import segmentation
>>> sorted(segmentation.TABLES)
['churn_events', 'customers', 'interactions', 'surveys', 'transactions']
"""

from segmentation.data.contract import TABLES
from segmentation.data.dataset import Dataset
from segmentation.data.load_report import LoadReport
from segmentation.data.loading import check_dataset, load_dataset
from segmentation.data.mapping import ColumnMapping
from segmentation.errors import ConfigError, DataContractError, Problem, WorkbenchError

__version__ = "0.1.0"

__all__ = [
    "TABLES",
    "ColumnMapping",
    "ConfigError",
    "DataContractError",
    "Dataset",
    "LoadReport",
    "Problem",
    "WorkbenchError",
    "check_dataset",
    "load_dataset",
]
