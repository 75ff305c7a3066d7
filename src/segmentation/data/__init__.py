"""Stage 1, the data: the contract, reading and checking a team's files, the load report, privacy masking and
the writers of every output file.

Modules: contract, dataset, loading, readers, parsing, mapping, load_report, privacy, overview, writers.
The analyst's names are in the front door, ``import segmentation as seg``; import from these modules to extend
the package.
"""
