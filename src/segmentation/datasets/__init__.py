"""Data sets to try the workbench on: the sample generator with its planted truth, and CDNOW.

Modules: sample, cdnow.
The analyst's names are in the front door, ``import segmentation as seg``; import from these modules to extend
the package.
"""
