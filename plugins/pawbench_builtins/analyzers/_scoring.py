"""Shared pieces of the built-in analyzers' per-file scores (see docs/artifact-quality.md)."""

from __future__ import annotations

from collections.abc import Mapping

from pawbench.api import NO_SIGNAL, Finding

MIN_LINES = 20
"""Densities use at least this many lines, so that one finding in a 3-line file is not 33/100."""

"""Code of a finding that says a measure could not be taken for a file (it is not a defect)."""


def nonblank_lines(text: str) -> int:
    """Lines with something other than whitespace."""
    return sum(1 for line in text.splitlines() if line.strip())


def per_100_lines(count: int, lines: int) -> float:
    """``count`` per 100 lines, over at least MIN_LINES lines."""
    return 100.0 * count / max(lines, MIN_LINES)


def decay(density: float, half: float) -> float:
    """1 at density 0, 0.5 at density ``half``, towards 0 beyond: ``1 / (1 + density / half)``."""
    return 1.0 / (1.0 + density / half)


def ramp_down(value: float, good: float, zero: float) -> float:
    """1 up to ``good``, falling linearly to 0 at ``zero``."""
    if value <= good:
        return 1.0
    return max(0.0, 1.0 - (value - good) / (zero - good))


def weighted_mean(components: Mapping[str, float], weights: Mapping[str, float]) -> float | None:
    """Mean of the components present, weights renormalised over them; None if none is."""
    present = {k: v for k, v in components.items() if k in weights}
    total = sum(weights[k] for k in present)
    if total <= 0:
        return None
    return sum(weights[k] * v for k, v in present.items()) / total


def metric_key(path: str, name: str) -> str:
    """Key of a per-file metric in ``AnalyzerReport.metrics``: ``file:<path>:<name>``."""
    return f"file:{path}:{name}"


def no_signal(path: str, tool: str, message: str) -> Finding:
    """A finding that records a measure missing for ``path`` (tool absent, failed, timed out)."""
    return Finding(path=path, tool=tool, code=NO_SIGNAL, message=message)
