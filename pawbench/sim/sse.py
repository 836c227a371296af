"""OpenAI chat-completion chunks as server-sent events, built from pre-encoded templates: the
per-request prefix is encoded once and each token's JSON-escaped text once, so a chunk is a few
byte concatenations."""

from __future__ import annotations

from typing import Any

import orjson

from pawbench.sim.output import CONTENT, TokenStream

DONE = b"data: [DONE]\n\n"
_SUFFIX = b',"finish_reason":null}]}\n\n'


def usage_body(prompt_tokens: int, completion_tokens: int, cached_tokens: int) -> dict[str, Any]:
    """The ``usage`` object, with ``prompt_tokens_details.cached_tokens``."""
    return {
        "prompt_tokens": prompt_tokens,
        "completion_tokens": completion_tokens,
        "total_tokens": prompt_tokens + completion_tokens,
        "prompt_tokens_details": {"cached_tokens": cached_tokens},
    }


class ChunkEncoder:
    """Encodes the chunks of one streamed completion."""

    __slots__ = ("_base", "_head", "_prefix", "_tokens")

    def __init__(self, completion_id: str, created: int, model: str, tokens: TokenStream) -> None:
        self._base: dict[str, Any] = {
            "id": completion_id,
            "object": "chat.completion.chunk",
            "created": created,
            "model": model,
        }
        head = orjson.dumps({**self._base, "choices": []})
        # '{"id":...,"model":"m","choices":[]}' -> '...,"choices":[{"index":0,"delta":'
        self._prefix = b"data: " + head[:-2] + b'{"index":0,"delta":'
        self._tokens = tokens
        self._head = [
            b'{"tool_calls":[{"index":%d,"id":%s,"type":"function","function":{"name":%s,'
            b'"arguments":"' % (i, orjson.dumps(c.id), orjson.dumps(c.name))
            for i, c in enumerate(tokens.calls)
        ]

    def role(self) -> bytes:
        """The first chunk: the assistant role with empty content."""
        return self._prefix + b'{"role":"assistant","content":""}' + _SUFFIX

    def tokens(self, start: int, end: int) -> bytes:
        """The chunks for tokens ``start..end-1`` (one decode step): one chunk per run of
        tokens that belong to the same content or tool call."""
        owner, head, escaped = self._tokens.owner, self._tokens.head, self._tokens.escaped
        out: list[bytes] = []
        i = start
        while i < end:
            who = owner[i]
            j = i + 1
            while j < end and owner[j] == who:
                j += 1
            text = escaped[i] if j == i + 1 else b"".join(escaped[i:j])
            if who == CONTENT:
                delta = b'{"content":"' + text + b'"}'
            elif head[i]:
                delta = self._head[who] + text + b'"}}]}'
            else:
                delta = b'{"tool_calls":[{"index":%d,"function":{"arguments":"' % who
                delta += text + b'"}}]}'
            out.append(self._prefix + delta + _SUFFIX)
            i = j
        return b"".join(out)

    def finish(self, reason: str) -> bytes:
        """The chunk with an empty delta and the finish reason."""
        return self._prefix + b'{},"finish_reason":"' + reason.encode() + b'"}]}\n\n'

    def usage(self, prompt_tokens: int, completion_tokens: int, cached_tokens: int) -> bytes:
        """The final usage-only chunk (empty ``choices``)."""
        body = {
            **self._base,
            "choices": [],
            "usage": usage_body(prompt_tokens, completion_tokens, cached_tokens),
        }
        return b"data: " + orjson.dumps(body) + b"\n\n"
