"""The ``console`` reporter through ``pawbench report``: a real result, a 1.1.4 result, and a
result with almost nothing in it."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from pawbench.cli.app import run_cli
from tests.report.support import LEGACY_RESULT

RealResult = tuple[Path, dict[str, Any]]


@pytest.fixture
def report(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> Callable[..., str]:
    """Run ``pawbench report ARGS`` in-process on a wide terminal; its stdout."""
    monkeypatch.setenv("COLUMNS", "200")
    monkeypatch.setenv("NO_COLOR", "1")

    def run(*args: str) -> str:
        code = run_cli(["report", *args])
        captured = capsys.readouterr()
        assert code == 0, captured.err
        return captured.out

    return run


def test_real_result(real_result: RealResult, report: Callable[..., str]) -> None:
    out = report(str(real_result[0]))
    for part in ("Scenarios by load level", "bug-fix", "Throughput", "Quality", "Efficiency"):
        assert part in out
    assert "Adaptability" in out and "SIMULATED endpoint" in out
    assert "Scenario sweep (no raw saturation)" in out and "█" * 30 in out
    assert "simulated endpoint: the built-in simulator, not a real model" in out


def test_legacy_result(report: Callable[..., str]) -> None:
    out = report(str(LEGACY_RESULT))
    assert "(PawBench 1.1.4 format)" in out
    assert "Raw saturation" in out and "1,310.5" in out
    assert "useful_token_ratio" in out and "DQS: 0.812" in out
    assert "quality by tier: display 0.900, crud 0.810" in out
    assert "prefix_cache_hit_rate" in out
    assert "no per-level data" in out


@pytest.mark.parametrize("doc", [{"tag": "bare"}, {"tag": "odd", "levels": "x", "dqs": [1]}])
def test_absent_blocks_do_not_break_it(
    tmp_path: Path, report: Callable[..., str], doc: dict[str, Any]
) -> None:
    path = tmp_path / "r.json"
    path.write_text(json.dumps(doc))
    out = report(str(path))
    assert "no data" in out and "saturation: no curve" in out


def test_json_reporter_still_there(report: Callable[..., str]) -> None:
    assert json.loads(report(str(LEGACY_RESULT), "--reporter", "json"))["tag"] == "qwen-7b-awq-vllm"
