"""Stage 3, customer value: RFM scores, named segments, value tiers, scoring, quarterly re-grading, tier tuning
and their plots.

Modules: rfm, segments, tiers, scoring, regrading, tuning, plots.
The analyst's names are in the front door, ``import segmentation as seg``; import from these modules to extend
the package.
"""
