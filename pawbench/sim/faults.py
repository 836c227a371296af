"""Fault injection for reliability tests, drawn per request from a seeded generator in arrival
order (the same seed and the same request order give the same faults)."""

from __future__ import annotations

import random
from dataclasses import dataclass


@dataclass(frozen=True)
class Faults:
    """Rates are probabilities per request. The HTTP error rates are exclusive (their sum must
    be at most 1); a request that gets no HTTP error may then be dropped, stalled and/or get a
    malformed chunk, each drawn independently. Stalls and Retry-After are wall seconds."""

    rate_429: float = 0.0
    rate_500: float = 0.0
    rate_503: float = 0.0
    retry_after_s: int = 1
    drop_rate: float = 0.0
    stall_rate: float = 0.0
    stall_s: float = 1.0
    malformed_rate: float = 0.0

    def __post_init__(self) -> None:
        rates = {
            "rate_429": self.rate_429,
            "rate_500": self.rate_500,
            "rate_503": self.rate_503,
            "drop_rate": self.drop_rate,
            "stall_rate": self.stall_rate,
            "malformed_rate": self.malformed_rate,
        }
        for name, value in rates.items():
            if not 0.0 <= value <= 1.0:
                raise ValueError(f"fault {name} must be within [0, 1], got {value}")
        if self.rate_429 + self.rate_500 + self.rate_503 > 1.0 + 1e-9:
            raise ValueError("fault rates 429 + 500 + 503 must add up to at most 1")
        if self.retry_after_s < 0 or self.stall_s < 0:
            raise ValueError("retry_after_s and stall_s must not be negative")

    @property
    def any(self) -> bool:
        """Whether any fault is switched on."""
        return (
            self.rate_429 + self.rate_500 + self.rate_503 + self.drop_rate + self.stall_rate
        ) > 0 or self.malformed_rate > 0


@dataclass(frozen=True, slots=True)
class FaultDecision:
    """What happens to one request. ``*_at`` are fractions of the planned output tokens after
    which the fault strikes (None: it does not)."""

    status: int | None = None
    drop_at: float | None = None
    stall_at: float | None = None
    malformed_at: float | None = None


NO_FAULT = FaultDecision()


class FaultInjector:
    """Draws a FaultDecision per request; always five draws, so decisions stay aligned."""

    def __init__(self, faults: Faults, seed: int) -> None:
        self.faults = faults
        self._rng = random.Random(f"faults:{seed}")

    def draw(self) -> FaultDecision:
        """The fault (or none) for the next request."""
        f = self.faults
        if not f.any:
            return NO_FAULT
        rnd = self._rng.random
        u, drop, stall, bad, where = rnd(), rnd(), rnd(), rnd(), rnd()
        status = None
        if u < f.rate_429:
            status = 429
        elif u < f.rate_429 + f.rate_500:
            status = 500
        elif u < f.rate_429 + f.rate_500 + f.rate_503:
            status = 503
        at = 0.25 + 0.5 * where
        return FaultDecision(
            status=status,
            drop_at=at if drop < f.drop_rate else None,
            stall_at=at if stall < f.stall_rate else None,
            malformed_at=at if bad < f.malformed_rate else None,
        )
