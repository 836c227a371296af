"""The readers against the block shapes this version's writers produce: scoring
(pawbench/scoring: ``dim2_quality.quality``, ``dqs.run``, ``ablation.drop``,
``verification.dqs.values``), telemetry (pawbench/telemetry: ``server_metrics.headline`` and
columnar ``series``, the wrapped ``serving_card``) and the raw saturation curve."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from pawbench.cli.app import run_cli
from pawbench.report.headline import headline
from pawbench.report.loader import load_result
from pawbench.report.servingcard import serving_card
from tests.report.support import quality_doc, write_result


def _doc() -> dict[str, Any]:
    doc = quality_doc("current", 0.0, 0.0)
    doc["dim2_quality"] = {
        "quality": 0.84,
        "tool_calls": {"tool_accuracy": 0.93, "calls": 40},
        "format_compliance": 1.0,
    }
    doc["dim3_efficiency"] = {"useful_ratio": 0.71, "tokens_per_turn": {"completion": 300.0}}
    doc["dim4_adaptability"] = {"steering_rate": 0.5, "steering": {"rate": 0.5, "turns": 4}}
    doc["quality_by_tier"] = {
        "display": {"quality": 0.9, "turns": 3, "from_heuristic": 0},
        "crud": {"quality": None, "turns": 0, "from_heuristic": 0},
    }
    doc["dqs"] = {
        "name": "dqs",
        "version": "1.0.0",
        "weights": {"quality": 0.5, "format_compliance": 0.2, "tool_accuracy": 0.15},
        "run": {
            "dqs": 0.87,
            "components": {"quality": 0.84, "format_compliance": 1.0, "steering_rate": None},
            "weights_used": {"quality": 0.5},
            "no_signal": ["steering_rate"],
        },
    }
    doc["ablation"] = {
        "components": ["quality", "format_compliance"],
        "full": {"run": 0.87},
        "drop": {
            "quality": {"run": {"dqs": 0.9, "delta": 0.03}, "ranking_changed": {}},
            "format_compliance": {"run": {"dqs": 0.82, "delta": -0.05}, "ranking_changed": {}},
        },
    }
    doc["verification"] = {"runs": 3, "dqs": {"mean": 0.87, "values": [0.86, 0.87, 0.88]}}
    doc["server_metrics"] = {
        "available": True,
        "status": "available",
        "headline": {"engine": "vllm", "prefix_cache_hit_rate": 0.4, "notes": []},
        "series": {
            "t_s": [0.0, 1.0, 2.0],
            "level": [None, "c1", "c1"],
            "phase": ["before", "during", "after"],
            "values": {"kv_cache_usage": [0.1, 0.5, None], "requests_running": [0, 2, 1]},
        },
    }
    doc["serving_card"] = {
        "source": "the user's statement",
        "file": "card.yaml",
        "card": {"quantization": "gptq", "kv_cache_dtype": "fp8", "gpu": "2x L40S"},
    }
    doc["saturation_curve"] = [
        {"concurrency": 1, "request_rate": None, "tok_s": 100.0, "errors": {}},
        {"concurrency": 4, "request_rate": None, "tok_s": 350.0, "errors": {"http_429": 2}},
    ]
    return doc


def test_headline_reads_the_scoring_blocks() -> None:
    assert headline(_doc()) == {
        "single_tok_s": 100.0,
        "ttft_ms": 50.0,
        "raw_peak_tok_s": None,
        "avg_quality": 0.84,
        "tool_accuracy": 0.93,
        "format_compliance": 1.0,
        "useful_ratio": 0.71,
        "steering_rate": 0.5,
        "dqs": 0.87,
    }


def test_serving_card_unwraps_the_statement(tmp_path: Path) -> None:
    card = serving_card(load_result(write_result(tmp_path, _doc())))
    assert card["weight_quantization"] == {"value": "gptq", "source": "serving card"}
    assert card["kv_cache_dtype"] == {"value": "fp8", "source": "serving card"}
    assert card["hardware"] == "2x L40S"
    assert [p["errors"] for p in card["performance"]["saturation_curve"]] == [0, 2]


def test_verification_values_are_repeats(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    other = _doc()
    other["tag"] = "other"
    other["verification"]["dqs"]["values"] = [0.70, 0.72, 0.71]
    a, b = write_result(tmp_path / "a", _doc()), write_result(tmp_path / "b", other)
    assert run_cli(["compare", str(a), str(b), "--json"]) == 0
    cell = json.loads(capsys.readouterr().out)["comparisons"][0]["metrics"]["dqs"]
    assert cell["method"] == "bootstrap over repeats (3 vs 3)" and cell["verdict"] == "worse"


def test_reports_show_the_blocks(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write_result(tmp_path, _doc())
    assert run_cli(["report", str(path)]) == 0
    out = capsys.readouterr().out
    assert "DQS: 0.870" in out and "quality by tier: display 0.900" in out
    assert "prefix_cache_hit_rate" in out and "Raw saturation" in out
    html = tmp_path / "r.html"
    assert run_cli(["report", str(path), "--html", str(html)]) == 0
    text = html.read_text()
    # saturation, tiers, DQS components + ablation, server series (no latency data)
    assert text.count("<svg") == 4
    assert "requests_running" in text and "Ablation" in text
