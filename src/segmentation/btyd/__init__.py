"""Stage 3, buy-till-you-die models: BG/NBD, MBG/NBD, Pareto/NBD, BG/BB, Gamma-Gamma, lifetime value and holdout checks.

Modules: bgnbd, mbgnbd, pareto_nbd, bgbb, gamma_gamma (the models); clv (lifetime value), intervals (its
interval from parameter draws), holdout (the calibration/holdout check), choice (the models compared on the
holdout), plots and tracking_plots (their drawing), report (the lifetime-value report's analysis and
tables); fitting (the optimiser, the refusals of fits the data cannot identify,
standard errors), discounting (the periods of the CLV sum) and special (the Gauss hypergeometric function)
serve them.
The analyst's names are in the front door, ``import segmentation as seg``; import from these modules to extend
the package.
"""
