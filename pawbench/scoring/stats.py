"""Small statistics: means, the Student t quantile for 95 % intervals, pass^k."""

from __future__ import annotations

import math
import statistics
from collections.abc import Iterable, Sequence

# two-sided 95 %: the 0.975 quantile of Student's t for 1..30 degrees of freedom
_T975 = (
    12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228,
    2.201, 2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086,
    2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042,
)  # fmt: skip
_Z975 = 1.959963984540054


def mean(values: Iterable[float | None]) -> float | None:
    """Mean of the values that are not None; None when there are none."""
    found = [v for v in values if v is not None]
    return sum(found) / len(found) if found else None


def ratio(part: float, whole: float) -> float | None:
    """part / whole, None when whole is 0."""
    return part / whole if whole else None


def t975(df: int) -> float:
    """The 0.975 quantile of Student's t with ``df`` degrees of freedom: a table up to 30, then
    the Cornish-Fisher expansion (error below 1e-4)."""
    if df < 1:
        raise ValueError("df must be >= 1")
    if df <= len(_T975):
        return _T975[df - 1]
    z, n = _Z975, float(df)
    return (
        z
        + (z**3 + z) / (4 * n)
        + (5 * z**5 + 16 * z**3 + 3 * z) / (96 * n**2)
        + (3 * z**7 + 19 * z**5 + 17 * z**3 - 15 * z) / (384 * n**3)
    )


def mean_ci95(values: Sequence[float]) -> dict[str, object]:
    """Mean, sample standard deviation and the two-sided 95 % t interval of the mean
    (``mean ± t(0.975, n−1) · s / √n``); the interval is None with fewer than 2 values."""
    n = len(values)
    if n == 0:
        return {"n": 0, "mean": None, "stdev": None, "ci95": None, "method": "t"}
    m = sum(values) / n
    if n < 2:
        return {"n": 1, "mean": m, "stdev": None, "ci95": None, "method": "t"}
    s = statistics.stdev(values)
    half = t975(n - 1) * s / math.sqrt(n)
    return {"n": n, "mean": m, "stdev": s, "ci95": [m - half, m + half], "method": "t"}


def pass_hat_k(passes: int, trials: int, k: int) -> float:
    """The unbiased estimate of the chance that k independent trials all pass, from ``passes``
    of ``trials``: C(passes, k) / C(trials, k)."""
    if not 1 <= k <= trials:
        raise ValueError("k must be in 1..trials")
    return math.comb(passes, k) / math.comb(trials, k)
