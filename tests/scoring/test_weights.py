"""The versioned DQS weights file and the --ablate list."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from pawbench.errors import UsageError
from pawbench.scoring import COMPONENTS, load_weights, parse_ablate

BUILTIN = Path(__file__).resolve().parents[2] / "pawbench" / "scoring" / "weights"


def test_the_builtin_weights_are_v1_with_the_hash_of_the_file() -> None:
    weights = load_weights()
    assert weights.version == "1.0.0"
    assert weights.weights == {
        "quality": 0.50,
        "format_compliance": 0.20,
        "tool_accuracy": 0.15,
        "useful_ratio": 0.10,
        "steering_rate": 0.05,
    }
    data = (BUILTIN / "dqs-v1.0.0.json").read_bytes()
    assert weights.sha256 == hashlib.sha256(data).hexdigest()
    assert weights.source == "builtin:dqs-v1.0.0.json"
    assert weights.describe()["sha256"] == weights.sha256


def test_a_weights_file_of_ones_own(tmp_path: Path) -> None:
    path = tmp_path / "mine.json"
    path.write_text(json.dumps({"version": "my-1", "weights": {"quality": 1, "useful_ratio": 3}}))
    weights = load_weights(path)
    assert (weights.name, weights.version, weights.source) == ("dqs", "my-1", str(path))
    assert weights.weights == {"quality": 1.0, "useful_ratio": 3.0}
    assert weights.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{", "not a valid weights file"),
        ('{"version": "1", "weights": {"speed": 1}}', "unknown component(s) speed"),
        ('{"version": "1", "weights": {"quality": -1, "useful_ratio": 2}}', "weights must be"),
        ('{"version": "1", "weights": {"quality": 0}}', "positive sum"),
        ('{"version": "1", "weights": {}, "extra": 1}', "not a valid weights file"),
    ],
)
def test_bad_weights_files_are_usage_errors(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "w.json"
    path.write_text(content)
    with pytest.raises(UsageError, match=message.replace("(", r"\(").replace(")", r"\)")):
        load_weights(path)


def test_a_missing_file() -> None:
    with pytest.raises(UsageError, match="cannot read"):
        load_weights(Path("/nonexistent/w.json"))


def test_ablate_lists() -> None:
    assert parse_ablate("") == list(COMPONENTS)
    assert parse_ablate(None) == list(COMPONENTS)
    assert parse_ablate(" quality, steering_rate,quality ") == ["quality", "steering_rate"]
    with pytest.raises(UsageError, match="unknown component"):
        parse_ablate("quality,speed")
