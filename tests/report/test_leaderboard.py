"""``pawbench leaderboard validate | render`` on pawbench's own results and 1.1.4 results."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from pawbench.cli.app import run_cli
from tests.report.support import LEGACY_RESULT, quality_doc, write_result

RealResult = tuple[Path, dict[str, Any]]


def test_own_and_legacy_results_validate(
    real_result: RealResult, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run_cli(["leaderboard", "validate", str(real_result[0]), str(LEGACY_RESULT)]) == 0
    out = capsys.readouterr().out
    assert out.count("ok  ") == 2
    assert "(simulated endpoint)" in out and "[PawBench 1.1.4]" in out


def test_invalid_entry_exits_1_with_the_reason(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    doc = quality_doc("bad", 0.5, 0.5)
    doc["model_card"] = {}
    doc["dim2_quality"]["avg_quality"] = 7
    path = write_result(tmp_path, doc)
    assert run_cli(["leaderboard", "validate", str(path)]) == 1
    out = capsys.readouterr().out
    assert "INVALID" in out
    assert "$.model_card: missing required 'id'" in out
    assert "$.dim2_quality.avg_quality: 7 is above the maximum 1" in out
    assert run_cli(["leaderboard", "render", str(path)]) == 2


def test_render_ranks_by_dqs(
    real_result: RealResult, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    better = write_result(tmp_path, quality_doc("better|one", 0.9, 0.9))
    args = [str(real_result[0]), str(LEGACY_RESULT), str(better)]
    assert run_cli(["leaderboard", "render", *args, "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    # the simulator's sim-good scores a DQS near 1.0, above the crafted 0.9
    assert [r["tag"] for r in rows] == ["simulated", "better|one", "qwen-7b-awq-vllm"]
    assert [r["rank"] for r in rows] == [1, 2, 3]
    assert rows[0]["model"].endswith("(simulated)")
    assert run_cli(["leaderboard", "render", *args]) == 0
    markdown = capsys.readouterr().out
    assert "| 2 | m | better\\|one | 0.900 |" in markdown
    out = tmp_path / "board.html"
    assert run_cli(["leaderboard", "render", *args, "--format", "html", "-o", str(out)]) == 0
    assert "<td>Qwen/Qwen2.5-Coder-7B-Instruct-AWQ</td>" in out.read_text()
