"""The endpoint's stream reader keeps its deadlines with one watchdog timer per stream (not a
timer per read): each phase (first event, idle gaps, the grace after [DONE]) still applies
its own deadline when the phase changes while the reader waits."""

from __future__ import annotations

import asyncio

from tests.endpoint.scripted_server import DONE, Reply, chunk, sse
from tests.endpoint.support import decoded, stream_once, text_of


def test_a_stall_after_the_first_event_hits_the_idle_timeout() -> None:
    """The first event comes 0.2 s after the headers (the reader is already waiting, under
    the 10 s first-event deadline); then the stream stalls. Bound: the 0.4 s idle timeout
    fires well before the 10 s first-event deadline would (elapsed < 3 s)."""
    stalled = Reply(chunks=[0.2, sse(chunk({"content": "a"})), 8.0, DONE])
    outcome = asyncio.run(stream_once([stalled], ttfb_timeout_s=10.0, idle_timeout_s=0.4))
    assert outcome.error is not None and outcome.error.cause == "timeout_idle"
    assert text_of(decoded(outcome.events)) == "a"
    assert outcome.elapsed_s < 3.0


def test_a_body_left_open_after_done_ends_after_the_grace() -> None:
    """After [DONE] the server keeps the body open for 8 s; the reader gives up after its
    1 s grace, not after the 30 s idle timeout, and the answer is complete (no error)."""
    lingering = Reply(chunks=[0.1, sse(chunk({"content": "ok"})), 0.1, DONE, 8.0])
    outcome = asyncio.run(stream_once([lingering], idle_timeout_s=30.0, ttfb_timeout_s=30.0))
    assert outcome.error is None
    assert text_of(decoded(outcome.events)) == "ok"
    assert outcome.elapsed_s < 4.0
