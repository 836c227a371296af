"""A persona's reply, and the same reply cut into the decode tokens the scheduler emits."""

from __future__ import annotations

from dataclasses import dataclass

import orjson

from pawbench.sim.tokens import split_pieces

CONTENT = -1


@dataclass(frozen=True, slots=True)
class PlannedCall:
    """A tool call the persona makes; ``arguments`` is sent verbatim (it may be invalid JSON)."""

    id: str
    name: str
    arguments: str


@dataclass(frozen=True, slots=True)
class Reply:
    """What the simulated model answers: text, then tool calls."""

    content: str
    calls: tuple[PlannedCall, ...] = ()


_FILLER = tuple(
    f" {w}"
    for w in ["and", "then", "the", "next", "step", "of", "the", "same", "work", "goes", "on"]
)


class TokenStream:
    """A reply as decode tokens, content first, then each call (one token for its header, then
    its argument pieces), cut to ``max_tokens``. ``owner[i]`` is ``CONTENT`` or a call index."""

    __slots__ = ("calls", "escaped", "finish_reason", "head", "owner", "text")

    def __init__(self, reply: Reply, max_tokens: int, min_tokens: int = 0) -> None:
        self.calls = reply.calls
        self.owner: list[int] = []
        self.head: list[bool] = []
        self.text: list[str] = []
        self._add(CONTENT, split_pieces(reply.content), head=False)
        short = min(min_tokens, max_tokens) - len(self.text)
        if short > 0 and not reply.calls:  # ignore_eos / min_tokens: keep generating
            self._add(CONTENT, [_FILLER[i % len(_FILLER)] for i in range(short)], head=False)
        for index, call in enumerate(reply.calls):
            self._add(index, ["", *split_pieces(call.arguments)], head=True)
        natural = "tool_calls" if reply.calls else "stop"
        if not self.text:  # an empty reply still costs the end-of-sequence token
            self._add(CONTENT, [""], head=False)
        if len(self.text) > max_tokens:
            del self.owner[max_tokens:], self.head[max_tokens:], self.text[max_tokens:]
            natural = "length"
        self.finish_reason = natural
        self.escaped = [orjson.dumps(t)[1:-1] for t in self.text]

    def _add(self, owner: int, pieces: list[str], *, head: bool) -> None:
        for i, piece in enumerate(pieces):
            self.owner.append(owner)
            self.head.append(head and i == 0)
            self.text.append(piece)

    def __len__(self) -> int:
        return len(self.text)

    def content(self, upto: int | None = None) -> str:
        """The content text of the first ``upto`` tokens."""
        end = len(self.text) if upto is None else upto
        return "".join(
            t for o, t in zip(self.owner[:end], self.text[:end], strict=True) if o == CONTENT
        )

    def call_arguments(self, upto: int | None = None) -> list[str]:
        """Each started call's arguments text within the first ``upto`` tokens."""
        end = len(self.text) if upto is None else upto
        args: list[list[str]] = []
        for owner, text in zip(self.owner[:end], self.text[:end], strict=True):
            if owner == CONTENT:
                continue
            while len(args) <= owner:
                args.append([])
            args[owner].append(text)
        return ["".join(parts) for parts in args]
