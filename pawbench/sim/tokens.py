"""Offline, deterministic token accounting of the simulator (no tokenizer download).

- Prompt tokens: the request is rendered to bytes (``render_prompt``: the tools JSON, then each
  message as ``<|role|>`` + content + tool calls/ids) and counted as ``ceil(bytes / 4)``.
- Completion tokens: the text the simulator generates is cut into pieces by ``split_pieces``
  (a word-ish split: up to 6 letters, 3 digits or 3 symbols with their leading whitespace);
  each piece is one decode token. English text averages about 4 bytes per piece, so the two
  rules agree closely.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

import orjson

BYTES_PER_TOKEN = 4
_PIECE = re.compile(r"\s*[A-Za-z]{1,6}|\s*\d{1,3}|\s*[^\sA-Za-z\d]{1,3}|\s+")


def estimate_tokens(text: str | bytes) -> int:
    """``ceil(len(utf-8 bytes) / 4)``; 0 for empty text."""
    size = len(text) if isinstance(text, bytes) else len(text.encode())
    return -(-size // BYTES_PER_TOKEN)


def split_pieces(text: str) -> list[str]:
    """Cut generated text into decode tokens; ``"".join(split_pieces(t)) == t``."""
    return _PIECE.findall(text)


def message_text(message: Mapping[str, Any]) -> str:
    """The text of a message's ``content`` (a string or a list of ``{"type": "text"}`` parts)."""
    content = message.get("content")
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        parts = [p.get("text", "") for p in content if isinstance(p, dict)]
        return "".join(p for p in parts if isinstance(p, str))
    return ""


def render_prompt(messages: Sequence[Mapping[str, Any]], tools: Sequence[Any] | None) -> bytes:
    """The bytes the prompt is counted and prefix-cached on. Appending messages only appends
    bytes, so a later turn of a conversation shares the earlier turn's prefix."""
    parts: list[bytes] = []
    if tools:
        parts.append(b"<|tools|>" + orjson.dumps(tools) + b"\n")
    for message in messages:
        role = str(message.get("role", "user")).encode()
        parts.append(b"<|" + role + b"|>" + message_text(message).encode())
        calls = message.get("tool_calls")
        if calls:
            parts.append(orjson.dumps(calls))
        call_id = message.get("tool_call_id")
        if isinstance(call_id, str):
            parts.append(b"<|id|>" + call_id.encode())
        parts.append(b"\n")
    return b"".join(parts)
