"""Stage 5, the quarterly review: KPIs against service levels, the contact policy, quarter trends, the review
itself and its plots.

Modules: kpis, service_levels, contact_policy, trends, quarterly, plots.
The analyst's names are in the front door, ``import segmentation as seg``; import from these modules to extend
the package.
"""
