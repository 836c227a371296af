"""The serving physics: one task runs engine steps in wall time (scaled by ``time_scale``).

Each step admits waiting requests first come first served while the batch has room
(``max_batch``) and the KV cache can hold them (prompt plus planned output reserved), prefills
the newly admitted ones (uncached prompt tokens only, after a prefix-cache lookup) and gives
every running sequence one token, or ``1 + accepted drafts`` with speculative decoding. The step
lasts ``profile.step_seconds(running, prefill_tokens) * time_scale``.
"""

from __future__ import annotations

import asyncio
import random
from collections import deque

from pawbench.sim.metrics import SimMetrics
from pawbench.sim.prefix_cache import PrefixCache
from pawbench.sim.profiles import Profile

# Timer jitter below this is absorbed by starting the next step at the previous deadline; a
# larger lag (a CPU-bound process) restarts the clock instead, so the simulator never runs
# faster than its model to catch up.
_MAX_CATCH_UP_S = 0.05
# Steps that are already due (instant profiles, catching up after timer jitter) run back to back
# for up to this long before the loop yields, so each handler writes several steps' chunks in
# one socket write instead of one write per token.
_BURST_S = 0.001


class Sequence:
    """One request inside the engine; its handler waits on it for emitted token positions."""

    __slots__ = (
        "arrival",
        "cached_tokens",
        "cancelled",
        "done",
        "first_token_at",
        "last_token_at",
        "marks",
        "pos",
        "prompt",
        "prompt_tokens",
        "reserve",
        "rng",
        "total",
        "waiter",
    )

    def __init__(self, prompt: bytes, prompt_tokens: int, total: int, seed: str) -> None:
        self.prompt = prompt
        self.prompt_tokens = prompt_tokens
        self.total = total
        self.reserve = prompt_tokens + total
        self.cached_tokens = 0
        self.pos = 0
        self.marks: list[int] = []
        self.done = False
        self.cancelled = False
        self.waiter: asyncio.Future[None] | None = None
        self.arrival = 0.0
        self.first_token_at: float | None = None
        self.last_token_at = 0.0
        self.rng = random.Random(seed)

    def _notify(self) -> None:
        waiter = self.waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    async def next_marks(self) -> tuple[list[int], bool]:
        """Token end positions of the steps since the last call (one mark per step), and
        whether the sequence has ended."""
        if not self.marks and not self.done:
            self.waiter = asyncio.get_running_loop().create_future()
            await self.waiter
            self.waiter = None
        marks, self.marks = self.marks, []
        return marks, self.done

    async def wait_done(self) -> None:
        """Until the sequence has ended."""
        while not self.done:
            await self.next_marks()


class Scheduler:
    """Continuous batching over a waiting queue, driven by ``run()``."""

    def __init__(self, profile: Profile, metrics: SimMetrics, time_scale: float = 1.0) -> None:
        self.profile = profile
        self.metrics = metrics
        self.time_scale = time_scale
        self.waiting: deque[Sequence] = deque()
        self.running: list[Sequence] = []
        self.kv_reserved = 0
        self.kv_used = 0
        self.peak_running = 0
        self.steps = 0
        self.cache = PrefixCache(
            profile.kv_capacity_tokens // profile.block_size, profile.block_size
        )
        self._wake = asyncio.Event()

    def fits(self, seq: Sequence) -> bool:
        """Whether the request could ever be admitted (its reservation fits an empty cache)."""
        return seq.reserve <= self.profile.kv_capacity_tokens

    def submit(self, seq: Sequence) -> None:
        """Queue a request."""
        seq.arrival = asyncio.get_running_loop().time()
        self.waiting.append(seq)
        self.metrics.waiting.set(len(self.waiting))
        self._wake.set()

    def cancel(self, seq: Sequence) -> None:
        """The client went away: drop the request (a running one at the next step)."""
        seq.cancelled = True
        if seq in self.waiting:
            self.waiting.remove(seq)
            self.metrics.waiting.set(len(self.waiting))

    def abort_all(self) -> None:
        """Shutdown: end every sequence so that the handlers waiting on them return."""
        for seq in [*self.running, *self.waiting]:
            seq.cancelled = True
            seq.done = True
            seq._notify()
        self.running.clear()
        self.waiting.clear()

    async def run(self) -> None:
        """Run engine steps for as long as the task lives."""
        loop = asyncio.get_running_loop()
        last_end = burst = loop.time()
        while True:
            if not self.running and not self.waiting:
                self._wake.clear()
                await self._wake.wait()
                last_end = loop.time()
            prefill = self._admit()
            if not self.running:
                await asyncio.sleep(0)
                continue
            step = self.profile.step_seconds(len(self.running), prefill) * self.time_scale
            now = loop.time()
            start = last_end if now - last_end < _MAX_CATCH_UP_S else now
            last_end = start + step
            if last_end > now:
                await asyncio.sleep(last_end - now)
                burst = loop.time()
            elif now - burst >= _BURST_S:
                await asyncio.sleep(0)  # let the handlers write what is due
                burst = loop.time()
            self._emit(loop.time())

    def _admit(self) -> int:
        """Admit from the queue; returns the uncached prompt tokens to prefill this step."""
        prefill = 0
        capacity = self.profile.kv_capacity_tokens
        metrics = self.metrics
        while self.waiting and len(self.running) < self.profile.max_batch:
            seq = self.waiting[0]
            if self.running and self.kv_reserved + seq.reserve > capacity:
                break
            self.waiting.popleft()
            seq.cached_tokens = self.cache.lookup_and_insert(seq.prompt, seq.prompt_tokens)
            seq.prompt = b""
            prefill += seq.prompt_tokens - seq.cached_tokens
            self.kv_reserved += seq.reserve
            self.kv_used += seq.prompt_tokens
            self.running.append(seq)
            metrics.prompt_tokens.inc(seq.prompt_tokens)
            metrics.prefix_queries.inc(seq.prompt_tokens)
            metrics.prefix_hits.inc(seq.cached_tokens)
        self.peak_running = max(self.peak_running, len(self.running))
        metrics.waiting.set(len(self.waiting))
        metrics.running.set(len(self.running))
        return prefill

    def _advance(self, seq: Sequence) -> int:
        """Move one sequence forward by one step; returns the tokens it gained."""
        spec = self.profile.speculative
        gained = 1
        if spec is not None:
            rate, rnd = spec.acceptance_rate, seq.rng.random
            accepted = 0
            while accepted < spec.num_draft_tokens and rnd() < rate:
                accepted += 1
            self.metrics.spec_drafts.inc(spec.num_draft_tokens)
            self.metrics.spec_accepted.inc(accepted)
            gained += accepted
        end = min(seq.pos + gained, seq.total)
        gained = end - seq.pos
        seq.pos = end
        seq.marks.append(end)
        return gained

    def _emit(self, now: float) -> None:
        """The end of a step: every running sequence gains its tokens; finished ones leave."""
        self.steps += 1
        generated = 0
        keep: list[Sequence] = []
        itl, ttft = self.metrics.itl, self.metrics.ttft
        for seq in self.running:
            if seq.cancelled:
                self._release(seq)
                continue
            generated += self._advance(seq)
            if seq.first_token_at is None:
                seq.first_token_at = now
                ttft.observe(now - seq.arrival)
            else:
                itl.observe(now - seq.last_token_at)
            seq.last_token_at = now
            if seq.pos >= seq.total:
                seq.done = True
                self._release(seq)
                self.metrics.requests_ok.inc()
            else:
                keep.append(seq)
            seq._notify()
        self.running = keep
        self.kv_used += generated
        self.metrics.generation_tokens.inc(generated)
        self.metrics.running.set(len(keep))
        self.metrics.kv_usage.set(self.kv_used / self.profile.kv_capacity_tokens)

    def _release(self, seq: Sequence) -> None:
        self.kv_reserved -= seq.reserve
        self.kv_used -= seq.prompt_tokens + seq.pos
