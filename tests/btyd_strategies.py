"""Hypothesis strategies shared by the property tests of the buy-till-you-die models."""

from __future__ import annotations

from hypothesis import strategies as st


@st.composite
def histories(draw):
    """One customer's ``(frequency, recency, T)``: any age up to 1,000, up to 20,000 repeats, recency within it."""
    T = draw(st.floats(0, 1000))
    x = draw(st.integers(0, 20_000)) if T > 0 else 0
    tx = draw(st.floats(0, T)) if x > 0 else 0.0
    return x, tx, T
