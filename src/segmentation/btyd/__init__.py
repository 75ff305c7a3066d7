"""Stage 3, buy-till-you-die models: BG/NBD, Gamma-Gamma, lifetime value and holdout checks.

Modules: bgnbd, gamma_gamma, clv, holdout.
The analyst's names are in the front door, ``import segmentation as seg``; import from these modules to extend
the package.
"""
