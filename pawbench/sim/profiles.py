"""Machine profiles of the simulator, kept as data in ``profiles.json`` next to this module.

A profile holds the constants of the serving model described in docs/simulator.md: batch limit,
KV-cache capacity, prefill rate and the two decode-step coefficients.
"""

from __future__ import annotations

from functools import cache
from importlib import resources

import orjson
from pydantic import BaseModel, ConfigDict, Field


class SpecDecode(BaseModel):
    """Speculative decoding: ``num_draft_tokens`` proposed per step, each accepted with
    ``acceptance_rate`` while the previous ones were; a step costs ``verify_overhead`` times
    more."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    num_draft_tokens: int = Field(ge=1, le=16)
    acceptance_rate: float = Field(ge=0.0, le=1.0)
    verify_overhead: float = Field(default=1.0, ge=1.0)

    def expected_tokens_per_step(self) -> float:
        """1 (the verified token) plus the expected accepted draft tokens."""
        a = self.acceptance_rate
        return 1.0 + sum(a**i for i in range(1, self.num_draft_tokens + 1))


class Profile(BaseModel):
    """The constants of one simulated machine."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    description: str = ""
    max_batch: int = Field(ge=1)
    kv_capacity_tokens: int = Field(ge=16)
    max_model_len: int = Field(ge=16)
    block_size: int = Field(default=16, ge=1)
    prefill_tokens_per_s: float = Field(gt=0)
    decode_base_ms: float = Field(ge=0)
    decode_per_seq_ms: float = Field(ge=0)
    speculative: SpecDecode | None = None

    def step_seconds(self, running: int, prefill_tokens: int) -> float:
        """Simulated duration of one engine step with ``running`` sequences that also
        prefills ``prefill_tokens`` uncached prompt tokens."""
        decode = (self.decode_base_ms + self.decode_per_seq_ms * running) / 1000.0
        if self.speculative is not None:
            decode *= self.speculative.verify_overhead
        return decode + prefill_tokens / self.prefill_tokens_per_s

    def tokens_per_step(self) -> float:
        """Expected tokens one sequence gains per step."""
        return 1.0 if self.speculative is None else self.speculative.expected_tokens_per_step()

    def predicted_throughput(self, concurrency: int) -> float:
        """Steady-state decode tokens/s with ``concurrency`` always-busy streams (prefill
        ignored): ``n * tokens_per_step / step_seconds(n)`` with ``n = min(concurrency,
        max_batch)``; beyond ``max_batch`` requests queue and throughput stays flat."""
        n = max(1, min(concurrency, self.max_batch))
        step = self.step_seconds(n, 0)
        if step <= 0:
            return float("inf")
        return n * self.tokens_per_step() / step


@cache
def _catalog() -> tuple[str, dict[str, Profile]]:
    raw = orjson.loads(resources.files("pawbench.sim").joinpath("profiles.json").read_bytes())
    profiles = {p["name"]: Profile.model_validate(p) for p in raw["profiles"]}
    return str(raw["default"]), profiles


def load_profiles() -> dict[str, Profile]:
    """All built-in profiles by name, in file order."""
    return dict(_catalog()[1])


def default_profile_name() -> str:
    """The profile ``pawbench run`` and ``pawbench sim serve`` use when none is named."""
    return _catalog()[0]


def get_profile(name: str | None = None) -> Profile:
    """The profile called ``name`` (the default when None); ValueError names the known ones."""
    default, profiles = _catalog()
    key = default if name is None else name
    if key not in profiles:
        known = ", ".join(profiles)
        raise ValueError(f"unknown simulator profile {key!r} (known: {known})")
    return profiles[key]
