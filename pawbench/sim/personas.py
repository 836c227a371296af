"""Simulated model behaviour, chosen by model name.

- ``sim-good``: calls the offered tools with schema-valid arguments whose strings carry the
  terms the turn expects, writes files that contain them, follows steering and nudges, and ends
  every text answer with the status block.
- ``sim-sloppy``: calls a tool that was not offered and sends invalid JSON arguments, ignores
  steering and nudges (its text avoids the expected terms), never writes the status block.
- ``sim-chatty``: sim-good's actions wrapped in long preamble and filler.
"""

from __future__ import annotations

import random
import re
from collections.abc import Mapping
from typing import Any

from pawbench.sim import texts
from pawbench.sim.artifacts import salient_terms
from pawbench.sim.conversation import Conversation, analyse
from pawbench.sim.oracle import Oracle
from pawbench.sim.output import PlannedCall, Reply
from pawbench.sim.planning import Task, call_id, plan_calls

GOOD, SLOPPY, CHATTY = "sim-good", "sim-sloppy", "sim-chatty"
PERSONAS: tuple[str, ...] = (GOOD, SLOPPY, CHATTY)


def reply(model: str, body: Mapping[str, Any], oracle: Oracle, rng: random.Random) -> Reply:
    """What persona ``model`` answers to the chat request ``body``."""
    conv = analyse(body)
    hint = oracle.match(conv.last_user) if conv.last_user else None
    terms = list(hint.terms) if hint else salient_terms(conv.last_user)
    task = Task(conv.last_user, terms, hint)
    if model == SLOPPY:
        return _sloppy(conv, task, rng)
    body_text, block, calls = _good(conv, task, rng)
    if model == CHATTY:
        return _chatty(body_text, block, calls, rng)
    return Reply(_join(body_text, block), calls)


# --- good ---


def _good(
    conv: Conversation, task: Task, rng: random.Random
) -> tuple[str, str, tuple[PlannedCall, ...]]:
    """(answer text, status block, calls): calls on the first round of a turn, else the text."""
    if conv.rounds == 0:
        calls = plan_calls(conv, task, rng)
        if calls:
            return "", "", calls
    hint = task.hint
    avoid = hint.avoid if hint else ()
    terms = [t for t in task.terms if not any(a.lower() in t.lower() for a in avoid)]
    text = rng.choice(texts.SUMMARIES).format(terms=texts.join_terms(terms) or "the request")
    keywords = hint.keywords if hint else ()
    if keywords:
        text += " " + texts.STEERING.format(keywords=", ".join(keywords))
    block = texts.status_block(conv, hint.files if hint else {}, terms, rng)
    if hint and hint.max_words is not None:
        text, block = texts.fit_words(text, block, terms, hint.max_words)
    return _scrub(text, avoid), _scrub(block, avoid), ()


def _scrub(text: str, avoid: tuple[str, ...]) -> str:
    for term in avoid:
        text = re.sub(re.escape(term), "", text, flags=re.IGNORECASE)
    return text


def _join(text: str, block: str) -> str:
    return f"{text}\n\n{block}" if text and block else text or block


# --- chatty ---


def _chatty(text: str, block: str, calls: tuple[PlannedCall, ...], rng: random.Random) -> Reply:
    if calls:
        return Reply(texts.filler(texts.PREAMBLE, rng, 4), calls)
    padded = "\n\n".join(
        [texts.filler(texts.PREAMBLE, rng, 7), text, texts.filler(texts.CLOSING, rng, 5), block]
    )
    return Reply(padded)


# --- sloppy ---


def _sloppy(conv: Conversation, task: Task, rng: random.Random) -> Reply:
    if conv.rounds == 0 and conv.tools and conv.tool_choice != "none":
        return Reply("", _sloppy_calls(conv, rng))
    return Reply(texts.lazy(task.terms, rng))


def _wrong_name(name: str, offered: list[str]) -> str:
    camel = re.sub(r"_(\w)", lambda m: m.group(1).upper(), name)
    for candidate in (camel, f"{name}_tool", f"do_{name}", "execute"):
        if candidate not in offered:
            return candidate
    return f"{name}_{len(offered)}"


def _sloppy_calls(conv: Conversation, rng: random.Random) -> tuple[PlannedCall, ...]:
    """One call to a tool that was not offered, one with JSON cut short; order seeded."""
    offered = conv.tool_names
    name = offered[0]
    wrong = PlannedCall(call_id(rng), _wrong_name(name, offered), texts.SLOPPY_VALID_ARGS)
    broken = PlannedCall(call_id(rng), name, texts.SLOPPY_BROKEN_ARGS)
    pair = [wrong, broken]
    rng.shuffle(pair)
    return tuple(pair)
