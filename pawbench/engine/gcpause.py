"""The cyclic garbage collector is paused while load runs, and run between levels.

A collection pass stops the event loop for as long as it takes to scan the tracked objects,
and the records kept for analysis make that longer as a run goes on: tens of milliseconds
late, every stamp taken behind such a pause would add a fake gap to the server's timings, and
the passes cost the client about a tenth of its CPU per streamed token (measured: 0.98 against
0.88 µs at 64 streams, ``benchmarks/client_overhead.py``). Reference cycles are rare on the
request path (a few hundred objects per level), so they are collected between levels, outside
every measured window; reference counting frees everything else as usual.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def paused_gc() -> Iterator[None]:
    """Pause the cyclic collector for the block (restored as it was, then run once)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
        gc.collect()


def between_levels() -> None:
    """Collect the cycles a finished level left, before the next one starts."""
    gc.collect()
