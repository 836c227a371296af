"""Token counts when the server reports no usage: a local tokenizer if given, else an estimate.

Every figure built on a count from here is flagged ``tokens_estimated`` in the records.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from pawbench.errors import UsageError

CHARS_PER_TOKEN = 4.0
MESSAGE_OVERHEAD = 4  # role markers and separators of a chat template, per message


def estimate_tokens(text: str) -> int:
    """About one token per four characters (English prose and code), at least one if non-empty."""
    return 0 if not text else max(1, round(len(text) / CHARS_PER_TOKEN))


class TokenCounter:
    """Counts tokens with a local tokenizer.json (optional ``tokenizers`` package) or estimates."""

    def __init__(self, tokenizer_path: Path | None = None) -> None:
        self._encode: Callable[[str], int] = estimate_tokens
        self.exact = False
        if tokenizer_path is not None:
            self._encode = _load_tokenizer(tokenizer_path)
            self.exact = True

    def count(self, text: str) -> int:
        """Tokens in a text."""
        return self._encode(text) if text else 0

    def count_messages(self, messages: list[dict[str, Any]]) -> int:
        """Tokens in a chat history (content, tool-call arguments, per-message overhead)."""
        total = 0
        for message in messages:
            total += MESSAGE_OVERHEAD + self.count(str(message.get("content") or ""))
            for call in message.get("tool_calls") or []:
                function = call.get("function", {})
                total += self.count(function.get("name", "") + function.get("arguments", ""))
        return total


def _load_tokenizer(path: Path) -> Callable[[str], int]:
    try:
        from tokenizers import Tokenizer  # type: ignore[import-not-found]
    except ImportError:
        raise UsageError(
            "--tokenizer needs the 'tokenizers' package (pip install tokenizers)"
        ) from None
    try:
        tokenizer = Tokenizer.from_file(str(path))
    except Exception as exc:
        raise UsageError(f"--tokenizer {path}: cannot load: {exc}") from None

    def encode(text: str) -> int:
        return len(tokenizer.encode(text, add_special_tokens=False).ids)

    return encode
