"""The result JSON Schema: a real result validates; the documented names are in it; the small
run-time validator agrees with jsonschema; the committed leaderboard schema is current."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jsonschema  # type: ignore[import-untyped]
import pytest

from pawbench.cli.app import run_cli
from pawbench.report.schema import packaged_schema, unsupported_keywords, validate

ROOT = Path(__file__).resolve().parents[2]
RESULT_SCHEMA = json.loads((ROOT / "docs" / "result.schema.json").read_text())
DOCUMENTED = [
    *("tag", "timestamp", "endpoint", "model_card", "schema_version", "requests_jsonl"),
    *("dim1_throughput", "dim2_quality", "dim3_efficiency", "dim4_adaptability"),
    *("saturation_curve", "concurrency_curve", "levels", "server_metrics", "dqs"),
    *("quality_by_tier", "orchestration_results", "orchestration_dqs_spread", "ablation"),
    "dim5_artifact_quality",
]
RealResult = tuple[Path, dict[str, Any]]


def test_schemas_are_valid_draft_2020_12() -> None:
    for schema in (RESULT_SCHEMA, packaged_schema("leaderboard")):
        jsonschema.Draft202012Validator.check_schema(schema)
        assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
        assert unsupported_keywords(schema) == set()


def test_a_real_result_validates(real_result: RealResult) -> None:
    path, doc = real_result
    assert json.loads(path.read_text()) == doc  # the file holds what --json printed
    jsonschema.validate(doc, RESULT_SCHEMA, cls=jsonschema.Draft202012Validator)
    assert validate(doc, RESULT_SCHEMA) == []
    assert doc["levels"] and doc["levels"][0]["scenario_id"] == "bug-fix"


def test_documented_names_are_in_the_schema() -> None:
    missing = [name for name in DOCUMENTED if name not in RESULT_SCHEMA["properties"]]
    assert not missing
    throughput = RESULT_SCHEMA["properties"]["dim1_throughput"]["properties"]
    assert {"avg_single_tok_s", "avg_ttft_ms", "raw_peak_tok_s", "raw_peak_concurrency"} <= set(
        throughput
    )
    quality = RESULT_SCHEMA["properties"]["dim2_quality"]["properties"]
    assert {"avg_quality", "tool_accuracy", "format_compliance_rate"} <= set(quality)


def _broken(doc: dict[str, Any]) -> list[dict[str, Any]]:
    variants = []
    mutations: tuple[Callable[[dict[str, Any]], object], ...] = (
        lambda d: d.pop("tag"),
        lambda d: d.__setitem__("tag", ""),
        lambda d: d["dim1_throughput"].__setitem__("avg_ttft_ms", -1.0),
        lambda d: d["dim1_throughput"].__setitem__("avg_single_tok_s", "fast"),
        lambda d: d["model_card"].pop("id"),
        lambda d: d["levels"][0]["errors"].__setitem__("timeout", 1.5),
        lambda d: d.__setitem__("scenarios", {"bug-fix": "md5:abc"}),
        lambda d: d.__setitem__("dqs", 1.5),
        lambda d: d.__setitem__("dqs", "high"),
        lambda d: d.__setitem__("concurrency_curve", [{"concurrency": 0, "tok_s": 1.0}]),
        lambda d: d["levels"][0]["ttft_ms"].pop("p99"),
    )
    for mutate in mutations:
        variant = copy.deepcopy(doc)
        mutate(variant)
        variants.append(variant)
    return variants


def test_small_validator_agrees_with_jsonschema(real_result: RealResult) -> None:
    validator = jsonschema.Draft202012Validator(RESULT_SCHEMA)
    for variant in _broken(real_result[1]):
        ours = validate(variant, RESULT_SCHEMA)
        theirs = list(validator.iter_errors(variant))
        assert ours and theirs, (ours, [e.message for e in theirs])


def test_validator_messages_name_the_path() -> None:
    schema = {"type": "object", "required": ["a"], "properties": {"b": {"type": "integer"}}}
    assert validate({"b": "x"}, schema) == [
        "$: missing required 'a'",
        "$.b: expected integer, got str",
    ]
    with pytest.raises(ValueError, match="unsupported keywords"):
        validate({}, {"type": "object", "patternProperties": {}})


def test_committed_leaderboard_schema_is_current(capsys: pytest.CaptureFixture[str]) -> None:
    assert run_cli(["leaderboard", "schema"]) == 0
    committed = json.loads((ROOT / "docs" / "leaderboard.schema.json").read_text())
    assert committed == json.loads(capsys.readouterr().out), (
        "docs/leaderboard.schema.json is not current; regenerate it with\n"
        "    .venv/bin/pawbench leaderboard schema > docs/leaderboard.schema.json"
    )
