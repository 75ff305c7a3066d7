"""The Gauss hypergeometric function where the buy-till-you-die formulas need it, without scipy's failures.

scipy's ``hyp2f1`` (1.17) returns inf or NaN for ``c`` above about 100 with ``z`` at 0.95 or more
(``hyp2f1(1, 1, 101, 0.95)`` is inf, the value is 1.0096), exactly where customers with many
purchases and long horizons take the BG/NBD and Pareto/NBD formulas. The series is summed
directly instead where ``c`` is large (it converges fast there), with a bound on its tail; scipy
is used elsewhere and where the series does not converge within :data:`MAX_TERMS` terms, and
for :func:`hyp2f1_one` the Euler integral when scipy fails too.

Examples
--------
>>> float(hyp2f1_minus_one(1.0, 1.0, 101.0, 0.95) + 1)  # scipy: inf
1.0095861829109423
>>> hyp2f1_one([30.0, 3000.0], [31.6, 3001.6], [0.999, 0.9999]).round(6).tolist()  # scipy: nan, nan
[40.739964, 2394.309075]
"""

from __future__ import annotations

import numpy as np
from scipy.integrate import quad
from scipy.special import hyp2f1

#: Terms summed before giving up on the series (enough for z up to 0.99 in 2F1 - 1; 0.93 in 2F1(1, b; c; z),
#: which has the Euler integral to fall back on).
MAX_TERMS = 4000
#: The series is used above this c (scipy fails from about 100) and, for 2F1 - 1, below this z (where
#: subtracting 1 from scipy's value would lose the digits that matter); scipy elsewhere.
LARGE_C = 50.0
SMALL_Z = 0.05


def _series(a: np.ndarray, b: np.ndarray, c: np.ndarray, z: np.ndarray, max_terms: int):
    """Sum of the terms k >= 1 of 2F1(a, b; c; z), and where it converged (tail below 1e-16 of the sum)."""
    term = np.ones_like(z)
    total = np.zeros_like(z)
    done = np.zeros(z.shape, dtype=bool)
    active = np.arange(len(z))
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        for k in range(max_terms):
            aa, bb, cc, zz = a[active], b[active], c[active], z[active]
            ratio = (aa + k) * (bb + k) / ((cc + k) * (k + 1)) * zz
            term[active] = term[active] * ratio
            total[active] += term[active]
            nxt = np.abs((aa + k + 1) * (bb + k + 1) / ((cc + k + 1) * (k + 2)) * zz)
            rho = np.maximum(nxt, np.abs(zz))  # later ratios tend to |z|, monotonically: a bound from here on
            tail = np.abs(term[active]) * rho / np.maximum(1 - rho, 1e-300)
            finished = (rho < 1) & (tail <= 1e-16 * np.abs(total[active])) | (term[active] == 0)
            finished &= np.isfinite(total[active])
            done[active[finished]] = True
            # Rows whose geometric tail would outlast the budget go to scipy now rather than after it.
            # (Estimated with the present ratio, which only grows towards |z|: a row is never given up too early.)
            needed = np.log(1e-16 * np.abs(total[active]) * (1 - rho) / np.maximum(np.abs(term[active]), 1e-300))
            hopeless = (nxt < 1) & (needed / np.log(np.maximum(nxt, 1e-300)) > max_terms - k)
            active = active[~finished & ~hopeless & np.isfinite(total[active])]
            if len(active) == 0:
                break
    return total, done


def hyp2f1_minus_one(a, b, c, z, max_terms: int = MAX_TERMS) -> np.ndarray:
    """2F1(a, b; c; z) - 1 for 0 <= z < 1, exact in relative terms when it is small.

    Examples
    --------
    >>> float(hyp2f1_minus_one(1.0, 1.0, 2.0, 1e-12))  # -log(1 - z) / z - 1 = z / 2 + z**2 / 3 + ...
    5.000000000003333e-13
    """
    a, b, c, z = (np.array(v, dtype=float) for v in np.broadcast_arrays(a, b, c, z))
    shape = a.shape
    a, b, c, z = (v.ravel() for v in (a, b, c, z))
    out = np.empty(a.shape)
    done = np.zeros(a.shape, dtype=bool)
    mine = np.flatnonzero((z < SMALL_Z) | (c > LARGE_C))
    if len(mine):
        out[mine], done[mine] = _series(a[mine], b[mine], c[mine], z[mine], max_terms)
    rest = ~done
    if rest.any():
        out[rest] = hyp2f1(a[rest], b[rest], c[rest], z[rest]) - 1.0
    return out.reshape(shape)


def _euler_integral(b: float, c: float, z: float) -> float:
    """2F1(1, b; c; z) = (c - 1) int_0^1 (1-t)^(c-2) (1-zt)^(-b) dt, for c > 1."""

    def integrand(t: float) -> float:
        return np.exp((c - 2) * np.log1p(-t) - b * np.log1p(-z * t))

    return (c - 1) * quad(integrand, 0, 1, epsabs=0, epsrel=1e-12, limit=400)[0]


def hyp2f1_one(b, c, z, max_terms: int = MAX_TERMS // 8) -> np.ndarray:
    """2F1(1, b; c; z) for c > 1, 0 <= z < 1: the series, scipy, or the Euler integral, whichever holds.

    ``(c - 1) int_0^1 (1-t)^(c-2) (1-zt)^(-b) dt`` is the last resort, one row at a time.
    """
    b, c, z = (np.array(v, dtype=float) for v in np.broadcast_arrays(b, c, z))
    shape = b.shape
    b, c, z = (v.ravel() for v in (b, c, z))
    out = np.full(b.shape, np.nan)
    done = np.zeros(b.shape, dtype=bool)
    mine = np.flatnonzero(c > LARGE_C)
    if len(mine):
        out[mine], done[mine] = _series(np.ones(len(mine)), b[mine], c[mine], z[mine], max_terms)
        out[mine] += 1.0
    rest = np.flatnonzero(~done)
    if len(rest):
        out[rest] = hyp2f1(1.0, b[rest], c[rest], z[rest])
        for i in rest[~np.isfinite(out[rest])]:
            out[i] = _euler_integral(b[i], c[i], z[i])
    return out.reshape(shape)


__all__ = ["LARGE_C", "MAX_TERMS", "SMALL_Z", "hyp2f1_minus_one", "hyp2f1_one"]
