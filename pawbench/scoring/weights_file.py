"""The DQS weights: a versioned JSON file whose sha256 (of the file's bytes) goes into every
result, so that a score can always be traced to the exact weights that made it."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from pawbench.errors import UsageError

COMPONENTS: tuple[str, ...] = (
    "quality",
    "format_compliance",
    "tool_accuracy",
    "useful_ratio",
    "steering_rate",
)
"""The DQS components, in the order results list them."""

DEFAULT_FILE = "dqs-v1.0.0.json"


class WeightsFile(BaseModel):
    """The format of a weights file."""

    model_config = ConfigDict(extra="forbid")

    name: str = "dqs"
    version: str = Field(min_length=1)
    description: str = ""
    weights: dict[str, float]


@dataclass(frozen=True)
class Weights:
    """Validated DQS weights and where they came from."""

    name: str
    version: str
    weights: dict[str, float]
    sha256: str
    source: str

    def describe(self) -> dict[str, object]:
        """The weights as a result records them."""
        return {
            "name": self.name,
            "version": self.version,
            "weights": dict(self.weights),
            "sha256": self.sha256,
            "source": self.source,
        }


def load_weights(path: Path | None = None) -> Weights:
    """The built-in v1.0.0 weights, or those of ``path`` (``--weights FILE``)."""
    if path is None:
        data = resources.files(__package__).joinpath("weights", DEFAULT_FILE).read_bytes()
        source = f"builtin:{DEFAULT_FILE}"
    else:
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise UsageError(f"--weights: cannot read {path}: {exc.strerror}") from None
        source = str(path)
    return parse_weights(data, source)


def parse_weights(data: bytes, source: str) -> Weights:
    """Validate a weights file's bytes: known components, weights >= 0, a positive sum."""
    try:
        parsed = WeightsFile.model_validate(json.loads(data))
    except (ValueError, ValidationError) as exc:
        first = str(exc).splitlines()[0]
        raise UsageError(f"{source}: not a valid weights file: {first}") from None
    unknown = sorted(set(parsed.weights) - set(COMPONENTS))
    if unknown:
        raise UsageError(
            f"{source}: unknown component(s) {', '.join(unknown)}; known: {', '.join(COMPONENTS)}"
        )
    if any(w < 0 for w in parsed.weights.values()) or sum(parsed.weights.values()) <= 0:
        raise UsageError(f"{source}: weights must be >= 0 with a positive sum")
    ordered = {c: parsed.weights[c] for c in COMPONENTS if c in parsed.weights}
    digest = hashlib.sha256(data).hexdigest()
    return Weights(parsed.name, parsed.version, ordered, digest, source)


def parse_ablate(text: str | None) -> list[str]:
    """``--ablate LIST``: comma-separated component names; empty means all of them."""
    names = [n.strip() for n in (text or "").split(",") if n.strip()]
    if not names:
        return list(COMPONENTS)
    unknown = [n for n in names if n not in COMPONENTS]
    if unknown:
        raise UsageError(
            f"--ablate: unknown component(s) {', '.join(unknown)}; known: {', '.join(COMPONENTS)}"
        )
    return list(dict.fromkeys(names))
