"""Retry policy: how long to wait before the next attempt.

Waits grow exponentially from ``backoff_base_s`` (doubling per retry) up to ``backoff_max_s``,
with jitter in [50 %, 100 %] of that value so that many agents rejected together do not come
back together. A ``Retry-After`` header (seconds or an HTTP date) replaces the backoff; it is
honoured up to ``retry_after_max_s`` (an option of the endpoint, 30 s by default), which may be
longer than ``backoff_max_s`` because the server said so.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime


def backoff_s(retry: int, base_s: float, max_s: float) -> float:
    """The wait before retry number ``retry`` (0 = first retry), jittered."""
    ceiling = min(max_s, base_s * (2.0**retry))
    return ceiling * (0.5 + random.random() / 2.0)


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header value; None when absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        seconds = None
    if seconds is not None:
        return max(0.0, seconds) if seconds == seconds else None  # NaN is unreadable
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    # a wall-clock read for control only (how long to wait), never for measurement
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())
