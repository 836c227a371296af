"""One real run against the embedded simulator fills every block of the result: dimensions,
DQS and ablation, verification, orchestration, context tiers, server metrics, artifacts."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import RunPawbench


@pytest.fixture(scope="module")
def full_result(tmp_path_factory: pytest.TempPathFactory, pawbench_exe: Path) -> dict[str, Any]:
    import os
    import subprocess

    out = tmp_path_factory.mktemp("full")
    env = {k: v for k, v in os.environ.items() if not k.startswith("PAWBENCH_")}
    proc = subprocess.run(
        [
            str(pawbench_exe),
            "run",
            "--scenario",
            "pawstyle-orchestration-matrix",
            "--concurrency",
            "1",
            "--no-saturation",
            "--sim-profile",
            "instant",
            "--orchestration",
            "flat,subagents",
            "--verification-runs",
            "2",
            "--context-tier",
            "standard,manifest-only",
            "--output",
            str(out),
            "--json",
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    doc: dict[str, Any] = json.loads(proc.stdout)
    return doc


def test_quality_blocks_and_dqs(full_result: dict[str, Any]) -> None:
    doc = full_result
    assert doc["dim2_quality"]["avg_quality"] > 0.9
    assert doc["dim2_quality"]["format_compliance_rate"] == 1.0
    assert doc["dqs"]["run"]["dqs"] > 0.9 and doc["dqs"]["sha256"]
    assert set(doc["ablation"]) and doc["dim3_efficiency"] and doc["dim4_adaptability"]
    assert {"display", "crud", "transactional", "cross_cutting"} <= set(doc["quality_by_tier"])


def test_orchestration_and_context_tiers(full_result: dict[str, Any]) -> None:
    doc = full_result
    rows = {(b["shape"], b["scenario_id"]) for b in doc["orchestration_results"]}
    assert rows == {
        (shape, scenario)
        for shape in ("flat", "subagents")
        for scenario in (
            "pawstyle-orchestration-matrix",
            "pawstyle-orchestration-matrix--manifest-only",
        )
    }
    for block in doc["orchestration_results"]:
        assert block["integration_turn"]["quality"] is not None
        assert block["dqs"] is not None
        assert block["quality_by_tier"]["display"]["quality"] is not None
    assert doc["orchestration_dqs_spread"] is not None
    tiers = doc["context_tiers"]
    assert set(tiers) == {"standard", "manifest-only"}
    assert "quality_delta_vs_standard" in tiers["manifest-only"]


def test_verification_server_metrics_and_artifacts(full_result: dict[str, Any]) -> None:
    doc = full_result
    verification = doc["verification"]
    assert verification["runs"] == 2 and len(verification["dqs"]["values"]) == 2
    assert doc["server_metrics"]["headline"]["engine"] == "vllm-v1"
    assert doc["model_card"]["id"] == "sim-good"
    assert doc["client"]["python"]
    artifacts = doc["dim5_artifact_quality"]
    assert artifacts["enabled"] is True and artifacts["aggregate"]["files_scored"] > 0


def test_an_unknown_shape_is_one_line(run_pawbench: RunPawbench) -> None:
    proc = run_pawbench("run", "--orchestration", "pyramid", "--no-saturation")
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert (
        len(lines) == 1 and "unknown shape 'pyramid' (available: flat, scatter-gather," in lines[0]
    )
