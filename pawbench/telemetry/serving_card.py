"""The serving card (``--serving-card FILE``): what the server cannot tell about itself (weight
quantization, KV-cache dtype, speculative config, GPU, serving flags), stated by the user.

JSON (``.json``) or YAML (``.yaml``/``.yml``; PyYAML when it is installed, otherwise the subset
of ``mini_yaml``); another suffix is read as JSON, then as YAML. The top level must be a
mapping. Secrets are masked before the card goes anywhere (see ``scrub``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import importlib
from pathlib import Path
from typing import Any

import orjson

from pawbench.errors import UsageError
from pawbench.redact import Scrubber
from pawbench.telemetry import mini_yaml
from pawbench.telemetry.scrub import scrub_tree

STATEMENT = "stated by the user (--serving-card), not verified against the server"


class ServingCardError(UsageError):
    """A serving card that cannot be read: the message names the file and the problem."""


def _yaml(text: str) -> tuple[Any, str]:
    try:
        yaml: Any = importlib.import_module("yaml")
    except ImportError:
        return mini_yaml.loads(text), "yaml (built-in subset)"
    try:
        return yaml.safe_load(text), "yaml"
    except yaml.YAMLError as exc:
        raise ValueError(" ".join(str(exc).split())) from None


def _parse(text: str, suffix: str) -> tuple[Any, str]:
    if suffix == ".json":
        return orjson.loads(text), "json"
    if suffix in (".yaml", ".yml"):
        return _yaml(text)
    try:
        return orjson.loads(text), "json"
    except orjson.JSONDecodeError:
        return _yaml(text)


def _json_ready(value: Any) -> Any:
    """YAML values as JSON ones: keys as strings, dates as ISO text, anything else as text."""
    if isinstance(value, dict):
        return {str(k): _json_ready(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json_ready(v) for v in value]
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)


def load_serving_card(path: Path | str, secrets: Scrubber | None = None) -> dict[str, Any]:
    """The serving card of ``path`` as it goes into the result: ``{"source", "file", "format",
    "sha256", "card"}`` with secrets masked. Raises ServingCardError (a usage error)."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ServingCardError(f"--serving-card {path}: cannot read it ({exc.strerror})") from None
    try:
        data, fmt = _parse(raw.decode("utf-8"), path.suffix.lower())
    except (ValueError, UnicodeDecodeError) as exc:
        problem = " ".join(str(exc).split())
        raise ServingCardError(
            f"--serving-card {path}: not valid JSON or YAML: {problem}"
        ) from None
    if not isinstance(data, dict):
        raise ServingCardError(
            f"--serving-card {path}: the top level must be a mapping (key: value), "
            f"not {type(data).__name__}"
        )
    return {
        "source": STATEMENT,
        "file": path.name,
        "format": fmt,
        "sha256": hashlib.sha256(raw).hexdigest(),
        "card": scrub_tree(_json_ready(data), secrets),
    }
