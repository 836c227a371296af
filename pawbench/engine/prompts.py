"""Prompts for the raw saturation test, drawn from the scenarios' own content.

Every prompt starts with a unique request tag (so no two requests share even their first
prefix-cache block), then an instruction that asks for a long answer, then passages picked with
a seeded generator from the scenarios' turn texts, system prompts and fixture files, up to about
``target_tokens`` tokens (at four characters per token).
"""

from __future__ import annotations

import random
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


class PromptPool:
    """Builds one distinct chat prompt per request, deterministically from ``seed``."""

    def __init__(self, scenarios: Iterable[Scenario], seed: int, target_tokens: int) -> None:
        self.passages = passages(scenarios)
        self.seed = seed
        self.target_chars = max(1, round(target_tokens * CHARS_PER_TOKEN))

    def messages(self, tag: str) -> list[dict[str, Any]]:
        """The messages of the request tagged ``tag`` (unique per request)."""
        rng = random.Random(f"{self.seed}:{tag}")
        head = f"[request {tag} {rng.getrandbits(64):016x}] {INSTRUCTION}\n\n"
        parts = [head]
        size = len(head)
        while size < self.target_chars:
            text = rng.choice(self.passages)
            room = self.target_chars - size
            if len(text) > room:  # a slice of a long passage, from a random offset
                start = rng.randrange(len(text) - room + 1)
                text = text[start : start + room]
            piece = text
            parts.append(piece + "\n\n")
            size += len(piece) + 2
        return [{"role": "user", "content": "".join(parts)}]
