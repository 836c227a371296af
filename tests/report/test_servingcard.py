"""ServingCard export: the curve is filled, weight quantization and KV-cache dtype stay apart."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from pawbench.cli.app import run_cli
from pawbench.report.loader import load_result
from pawbench.report.servingcard import serving_card
from pawbench.report.yaml_emit import to_yaml
from tests.report.support import LEGACY_RESULT, headline_doc, quality_doc, requests, write_result


def test_legacy_card_uses_the_raw_saturation_curve() -> None:
    card = serving_card(load_result(LEGACY_RESULT))
    perf = card["performance"]
    assert perf["saturation_source"] == "saturation_curve"
    assert [p["concurrency"] for p in perf["saturation_curve"]] == [1, 4, 16, 32]
    assert perf["saturation_curve"][2] == {
        "concurrency": 16,
        "tok_s": 1310.5,
        "ttft_p50_ms": 480.0,
        "ttft_p99_ms": 1900.0,
        "errors": None,
    }
    assert perf["raw_peak_tok_s"] == 1310.5 and perf["raw_peak_concurrency"] == 16
    assert card["weight_quantization"] == {"value": "awq", "source": "model card"}
    assert card["kv_cache_dtype"] == {"value": None, "source": None}  # never inferred
    assert card["engine"] == {"name": "vllm", "version": None}
    assert card["quality"]["dqs"] == 0.812


def test_statement_keeps_weights_and_kv_cache_apart(tmp_path: Path) -> None:
    doc = quality_doc("q", 0.8, 0.8)
    doc["serving_card"] = {"quantization": "fp8", "gpu": "1x H100"}
    card = serving_card(load_result(write_result(tmp_path / "a", doc)))
    assert card["weight_quantization"] == {"value": "fp8", "source": "serving card"}
    assert card["kv_cache_dtype"]["value"] is None
    doc["serving_card"] = {"weight_quantization": "awq", "kv_cache_dtype": "fp8_e5m2"}
    card = serving_card(load_result(write_result(tmp_path / "b", doc)))
    assert card["weight_quantization"]["value"] == "awq"
    assert card["kv_cache_dtype"] == {"value": "fp8_e5m2", "source": "serving card"}


def test_sweep_curve_gets_exact_ttft_from_requests(tmp_path: Path) -> None:
    records = requests(4, tok_s=100, ttft_ms=100, seed=1, spread=0.0)
    for r, ttft in zip(records, (10.0, 20.0, 30.0, 40.0), strict=True):
        r["ttft_ms"] = ttft
    doc = headline_doc("sweep", records, concurrency_curve=[{"concurrency": 1, "tok_s": 99.0}])
    card = serving_card(load_result(write_result(tmp_path, doc, records)))
    [point] = card["performance"]["saturation_curve"]
    assert card["performance"]["saturation_source"] == "concurrency_curve"
    assert point["ttft_p50_ms"] == 25.0  # midway between 20 and 30
    assert point["ttft_p99_ms"] == pytest.approx(30.0 + 10.0 * 0.97)  # rank 2.97 of 0..3


def test_yaml_emitter_output() -> None:
    data: dict[str, Any] = {
        "a": 1,
        "yes": "no",
        "list": [{"x": 1.5, "y": None}, "s: t"],
        "empty": {},
        "none": [],
        "b": True,
    }
    assert to_yaml(data) == (
        "a: 1\n"
        '"yes": "no"\n'
        "list:\n"
        "  - x: 1.5\n"
        '    "y": null\n'
        '  - "s: t"\n'
        "empty: {}\n"
        "none: []\n"
        "b: true\n"
    )


def test_cli_writes_json_and_yaml(tmp_path: Path) -> None:
    out_json, out_yaml = tmp_path / "card.json", tmp_path / "card.yaml"
    args = ["report", str(LEGACY_RESULT), "--servingcard"]
    assert run_cli([*args, str(out_json)]) == 0
    assert run_cli([*args, str(out_yaml)]) == 0
    card = json.loads(out_json.read_text())
    assert card["servingcard_version"] == "0.1"
    yaml_text = out_yaml.read_text()
    assert 'weight_quantization:\n  value: "awq"\n  source: "model card"\n' in yaml_text
    assert "saturation_curve:\n    - concurrency: 1\n" in yaml_text
