"""Stage 3, personas: features, the clustering model, profiles and names, the playbook, tracking over
quarters, the model store, the whole analysis and its plots.

Modules: features, model, profiles, playbook, tracking, store, analysis, plots.
The analyst's names are in the front door, ``import segmentation as seg``; import from these modules to extend
the package.
"""
