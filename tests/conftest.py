"""Shared fixtures: small sample data sets written once per session."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import pytest
from hypothesis import settings

# Property tests draw their examples from a fixed seed: a failure in CI reproduces locally.
settings.register_profile("deterministic", derandomize=True, print_blob=True)
settings.load_profile("deterministic")

from segmentation.sample_data import write_sample

SAMPLE_CUSTOMERS = 400
SAMPLE_SEED = 7


@pytest.fixture(scope="session")
def sample_dir(tmp_path_factory):
    """A 400-customer sample in CSV (seed 7)."""
    out = tmp_path_factory.mktemp("sample")
    write_sample(out, SAMPLE_CUSTOMERS, seed=SAMPLE_SEED)
    return out


@pytest.fixture(scope="session")
def sample_dataset(sample_dir):
    from segmentation import load_dataset

    return load_dataset(sample_dir, today="2025-10-01")
