"""Keeping secrets out of what telemetry records: known secret values, secret-looking keys,
secret command-line flags and environment assignments, credentials in URLs."""

from __future__ import annotations

import re
from typing import Any

from pawbench.redact import REDACTED, Scrubber, redact_url

SECRET_KEY = re.compile(
    r"(?:^|[_\-.\s])(?:api[_\-]?key|apikey|private[_\-]?key|token|secret|password|passwd|"
    r"auth|authorization|credentials?|cookie|bearer)(?:$|[_\-.\s])",
    re.IGNORECASE,
)
"""A key naming a secret: ``api_key``, ``hf_token``, ``Authorization``; not ``max_tokens``."""

_FLAG = re.compile(r"(?<![\w-])(--?([A-Za-z][\w-]*)(?:=|\s+))(\S+)")
_ENV = re.compile(r"\b(([A-Z][A-Z0-9_]*)=)(\S+)")
_BEARER = re.compile(r"\b(Bearer\s+)([^\s\"']+)", re.IGNORECASE)
_URL = re.compile(r"\b[a-z][a-z0-9+.\-]*://[^\s\"'<>]+", re.IGNORECASE)


def _named(match: re.Match[str]) -> str:
    """A ``--flag value`` or ``NAME=value`` whose name names a secret, with the value masked."""
    return match.group(1) + REDACTED if SECRET_KEY.search(match.group(2)) else match.group(0)


def _url(match: re.Match[str]) -> str:
    url = match.group(0)
    return redact_url(url) if "@" in url or "?" in url else url


def scrub_text(text: str, scrubber: Scrubber | None = None) -> str:
    """``text`` with known secrets, secret flags (``--api-key X``), secret environment
    assignments (``HF_TOKEN=x``), bearer tokens and URL credentials masked."""
    if scrubber is not None:
        text = scrubber(text)
    text = _FLAG.sub(_named, text)
    text = _ENV.sub(_named, text)
    text = _BEARER.sub(lambda m: m.group(1) + REDACTED, text)
    return _URL.sub(_url, text)


def scrub_tree(value: Any, scrubber: Scrubber | None = None) -> Any:
    """A JSON-like value with every string scrubbed and the value of every secret-looking key
    masked (unless it is empty, a number or a boolean: e.g. ``api_key_set: true`` stays)."""
    if isinstance(value, dict):
        return {str(k): _entry(str(k), v, scrubber) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [scrub_tree(v, scrubber) for v in value]
    if isinstance(value, str):
        return scrub_text(value, scrubber)
    return value


def _entry(key: str, value: Any, scrubber: Scrubber | None) -> Any:
    if (
        SECRET_KEY.search(key)
        and value not in (None, "")
        and not isinstance(value, bool | int | float)
    ):
        return REDACTED
    return scrub_tree(value, scrubber)
