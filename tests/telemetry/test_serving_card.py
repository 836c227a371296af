"""The serving card: JSON and YAML files, secrets masked, clear errors; the YAML subset."""

from __future__ import annotations

from pathlib import Path

import pytest

from pawbench.errors import UsageError
from pawbench.redact import Scrubber
from pawbench.telemetry import ServingCardError, load_serving_card
from pawbench.telemetry.mini_yaml import MiniYamlError, loads

YAML_CARD = """\
# what the server cannot tell
weight_quantization: fp8
kv_cache_dtype: "fp8_e4m3"   # e4m3 scales
speculative:
  method: eagle3
  num_speculative_tokens: 3
gpu: 1x H200 141GB
serving_flags:
  - --enable-prefix-caching
  - --max-num-seqs 256
  - --api-key sk-live-abcdef123456
"""

EXPECTED = {
    "weight_quantization": "fp8",
    "kv_cache_dtype": "fp8_e4m3",
    "speculative": {"method": "eagle3", "num_speculative_tokens": 3},
    "gpu": "1x H200 141GB",
    "serving_flags": ["--enable-prefix-caching", "--max-num-seqs 256", "--api-key ***"],
}


def test_a_yaml_card_is_read_and_its_secrets_masked(tmp_path: Path) -> None:
    path = tmp_path / "serving.yaml"
    path.write_text(YAML_CARD)
    card = load_serving_card(path)
    assert card["card"] == EXPECTED
    assert card["format"].startswith("yaml") and card["file"] == "serving.yaml"
    assert "not verified" in card["source"] and len(card["sha256"]) == 64


def test_a_json_card_with_known_secrets(tmp_path: Path) -> None:
    path = tmp_path / "card.json"
    path.write_text('{"gpu": "2x A100", "notes": "key is sk-known-9999", "hf_token": "hf_x"}')
    card = load_serving_card(path, Scrubber(["sk-known-9999"]))
    assert card["format"] == "json"
    assert card["card"] == {"gpu": "2x A100", "notes": "key is ***", "hf_token": "***"}


def test_another_suffix_is_tried_as_json_then_yaml(tmp_path: Path) -> None:
    path = tmp_path / "card.txt"
    path.write_text("gpu: L40S\n")
    assert load_serving_card(path)["card"] == {"gpu": "L40S"}


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        ("list.json", "[1, 2]", "top level must be a mapping"),
        ("bad.json", '{"gpu": ', "not valid JSON or YAML"),
        ("anchor.yaml", "base: &b 1\nother: *b\n", "line 1"),
        ("indent.yaml", "a: 1\n   b: 2\n", "line 2"),
    ],
)
def test_bad_cards_are_usage_errors_naming_the_file(
    tmp_path: Path, name: str, text: str, message: str
) -> None:
    path = tmp_path / name
    path.write_text(text)
    with pytest.raises(ServingCardError) as caught:
        load_serving_card(path)
    assert isinstance(caught.value, UsageError)
    assert name in str(caught.value) and message in str(caught.value)


def test_a_missing_card_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(ServingCardError, match="cannot read"):
        load_serving_card(tmp_path / "nope.yaml")


def test_the_yaml_subset() -> None:
    doc = loads(
        "---\n"
        "a: 1\n"
        "b: -2.5e3\n"
        "c: [x, 'y, z', \"q\\n\", 3, true, null]\n"
        "d:\n"
        "- name: H100 #0\n"
        "  mem: 80\n"
        "- - 1\n"
        "  - 2\n"
        "e: {}\n"
        "f: ~\n"
        "g: it's: fine\n"
        "'quoted key': 'it''s'\n"
        "url: http://h:8000/v1  # comment\n"
    )
    assert doc == {
        "a": 1,
        "b": -2500.0,
        "c": ["x", "y, z", "q\n", 3, True, None],
        "d": [{"name": "H100", "mem": 80}, [1, 2]],
        "e": {},
        "f": None,
        "g": "it's: fine",
        "quoted key": "it's",
        "url": "http://h:8000/v1",
    }
    assert loads("") is None and loads("plain") == "plain"


@pytest.mark.parametrize(
    "text",
    ["a: |\n  text\n", "a: !!str 1\n", "a: {b: 1}\n", "a: 1\na: 2\n", "a:\n\t- 1\n", "x\ny\n"],
)
def test_outside_the_subset_is_an_error(text: str) -> None:
    with pytest.raises(MiniYamlError, match="line"):
        loads(text)
