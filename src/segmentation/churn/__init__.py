"""Stage 4, churn: features and labels per cutoff, the model, the backtest and its metrics, the reasons, the
risk list and its plots.

Modules: features, model, backtest, metrics, reasons, risk, plots.
The analyst's names are in the front door, ``import segmentation as seg``; import from these modules to extend
the package.
"""
