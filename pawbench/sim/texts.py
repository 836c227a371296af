"""The words of the personas: summaries, the status block, chatty filler, sloppy replies."""

from __future__ import annotations

import random
from collections.abc import Mapping

from pawbench.sim.conversation import Conversation

SUMMARIES = (
    "Implemented the requested change; it covers {terms}.",
    "Done: {terms} are handled, with tests.",
    "The work is complete and covers {terms}.",
    "Finished the task. The code now handles {terms}.",
)
STEERING = "Following the update: {keywords}."
LEARNED = (
    "keep {a} consistent with {b}.",
    "keeping {a} next to {b} made the change small.",
    "checking {a} through {b} is the quickest verification.",
)
PREAMBLE = (
    "Great question, and thank you for the detailed description of what you need here.",
    "Before diving in, let me take a moment to restate the overall goal so that we are aligned.",
    "I really appreciate the clear context, it makes the whole thing much easier to approach.",
    "There are several ways to think about a request like this one, so let me walk through it.",
    "First of all, it is worth saying that this kind of task comes up quite often in practice.",
    "Let me think about this carefully and step by step before writing anything at all.",
    "As always, it is a good idea to consider the bigger picture before the small details.",
    "I want to make sure that my answer is as thorough and as helpful as it can possibly be.",
    "To be fully transparent, I will explain my reasoning in some detail as I go along.",
    "It is generally considered good practice to be careful and deliberate with changes.",
    "With all of that in mind, here is how I would go about handling this particular request.",
    "Of course, every project is different, so some of this may or may not apply to yours.",
)
CLOSING = (
    "I hope this helps, and please do not hesitate to reach out if anything is unclear.",
    "Let me know if you would like me to go into more depth on any part of this answer.",
    "There is always more that could be said, but this should cover the essentials well.",
    "Feel free to ask follow-up questions at any time, I am always happy to help out.",
    "Thanks again for the interesting task, it was a pleasure to work through it with you.",
    "In summary, the approach above should work nicely for most situations you will meet.",
    "As a final note, remember that small, careful steps are usually the safest way forward.",
)
LAZY = (
    "ok, should work now.",
    "Done. Let me know.",
    "Made some edits, should be fine.",
    "Updated it.",
    "Here you go.",
)
SLOPPY_VALID_ARGS = '{"file": "main.py", "text": "TODO"}'
SLOPPY_BROKEN_ARGS = '{"path": "main.py", "content": "print(\'hello\')\\n'


def join_terms(terms: list[str]) -> str:
    """``a``, ``a and b``, ``a, b and c``."""
    if len(terms) <= 1:
        return "".join(terms)
    return ", ".join(terms[:-1]) + " and " + terms[-1]


def _one_line(text: str) -> str:
    return " ".join(text.split())


def status_block(
    conv: Conversation, fixtures: Mapping[str, str], terms: list[str], rng: random.Random
) -> str:
    """The six-line status block that ends sim-good's answers."""
    existing = set(conv.written_before) | set(fixtures)
    created = [p for p in conv.written_now if p not in existing]
    modified = [p for p in conv.written_now if p in existing]
    a = _one_line(terms[0]) if terms else "the task"
    b = _one_line(terms[1]) if len(terms) > 1 else "its tests"
    learned = rng.choice(LEARNED).format(a=a, b=b)
    return "\n".join(
        [
            "STATUS: done",
            f"FILES_CREATED: {', '.join(created) or 'none'}",
            f"FILES_MODIFIED: {', '.join(modified) or 'none'}",
            "TESTS: pass",
            "BUILD: ok",
            f"LEARNED: {learned}",
        ]
    )


def fit_words(text: str, block: str, terms: list[str], max_words: int) -> tuple[str, str]:
    """Shorten the answer towards ``max_words`` words, keeping the terms and the block."""

    def words(*parts: str) -> int:
        return sum(len(p.split()) for p in parts)

    if words(text, block) <= max_words:
        return text, block
    text = f"Done: {', '.join(terms)}." if terms else "Done."
    if words(text, block) > max_words:
        lines = block.splitlines()
        block = "\n".join([*lines[:-1], "LEARNED: none"])
    return text, block


def filler(bank: tuple[str, ...], rng: random.Random, count: int) -> str:
    """``count`` sentences of the bank, in a seeded order."""
    picks = rng.sample(bank, min(count, len(bank)))
    return " ".join(picks)


def lazy(terms: list[str], rng: random.Random) -> str:
    """A short reply that mentions none of the expected terms."""
    lowered = [t.lower() for t in terms]
    options = [s for s in LAZY if not any(t in s.lower() for t in lowered)]
    return rng.choice(options) if options else "ok."
