"""Prompts for the raw saturation test, drawn from the scenarios' own content.

Every prompt starts with a unique request tag (so no two requests share even their first
prefix-cache block), then an instruction that asks for a long answer, then passages picked with
a seeded generator from the scenarios' turn texts, system prompts and fixture files, up to about
``target_tokens`` tokens (at four characters per token) in all.
"""

from __future__ import annotations

import random
import zlib
from collections.abc import Iterable
from typing import Any

from pawbench.engine.tokens import CHARS_PER_TOKEN
from pawbench.models.scenario import Scenario

INSTRUCTION = (
    "Read the material below from a software project and write a long, detailed technical "
    "explanation of it: what it does, how it could fail, and how you would test it. "
    "Keep writing until you are told to stop."
)
FALLBACK = (
    "A small web service stores records, validates input, paginates list endpoints, retries "
    "failed calls with backoff and logs every error with its cause."
)


def passages(scenarios: Iterable[Scenario]) -> list[str]:
    """Every non-empty text of the scenarios: turns, system prompts, fixture files."""
    out: list[str] = []
    for scenario in scenarios:
        out += [scenario.system_prompt or "", *scenario.fixtures.files.values()]
        for agent in scenario.agents:
            out += [agent.system_prompt or "", *agent.fixtures.files.values()]
            out += [turn.content.replace("{progress}", "") for turn in agent.turns]
    return [p.strip() for p in out if p.strip()] or [FALLBACK]


BODIES = 256
"""Distinct prompt bodies a pool draws from; every prompt still starts with its own tag."""


class PromptPool:
    """Builds one distinct chat prompt per request, deterministically from ``seed``: a head with
    the request's tag (unique, so no two prompts share even their first prefix-cache block),
    then one of ``BODIES`` bodies of passages, picked by a hash of the tag. The bodies are
    built once, so a prompt costs a hash and a few string joins, not a seeded generator."""

    def __init__(self, scenarios: Iterable[Scenario], seed: int, target_tokens: int) -> None:
        self.passages = passages(scenarios)
        self.seed = seed
        self.target_chars = max(1, round(target_tokens * CHARS_PER_TOKEN))
        self.bodies = [self._body(i) for i in range(BODIES)]

    def messages(self, tag: str) -> list[dict[str, Any]]:
        """The messages of the request tagged ``tag`` (unique per request)."""
        mark = zlib.crc32(f"{self.seed}:{tag}".encode())
        head = f"[request {tag} {mark:08x}] {INSTRUCTION}\n\n"
        body = self.bodies[mark % BODIES][: max(0, self.target_chars - len(head))]
        return [{"role": "user", "content": head + body}]

    def _body(self, index: int) -> str:
        """Passages (whole, or a slice from a random offset) up to ``target_chars``."""
        rng = random.Random(f"{self.seed}:{index}")
        parts: list[str] = []
        size = 0
        while size < self.target_chars:
            text = rng.choice(self.passages)
            room = self.target_chars - size
            if len(text) > room:
                start = rng.randrange(len(text) - room + 1)
                text = text[start : start + room]
            parts.append(text + "\n\n")
            size += len(text) + 2
        return "".join(parts)
