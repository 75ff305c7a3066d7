"""Stage 3, buy-till-you-die models: BG/NBD, MBG/NBD, Pareto/NBD, BG/BB, Gamma-Gamma, lifetime value and holdout checks.

Modules: bgnbd, mbgnbd, pareto_nbd, bgbb, gamma_gamma, clv, holdout; fitting (the optimiser, the refusals of fits
the data cannot identify, standard errors) and special (the Gauss hypergeometric function) serve them.
The analyst's names are in the front door, ``import segmentation as seg``; import from these modules to extend
the package.
"""
