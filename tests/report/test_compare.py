"""``pawbench compare`` on crafted results: verdicts, direction, repeats, exit codes, 1.1.4.

Request samples come from fixed seeds, so every interval below is deterministic; the expected
verdicts follow from how far apart the crafted distributions are (30 % or more, with ±10 %
noise over 60 requests), not from a lucky draw.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from pawbench.cli.app import run_cli
from tests.report.support import (
    LEGACY_RESULT,
    headline_doc,
    quality_doc,
    requests,
    write_result,
)


def _run(tmp: Path, tag: str, tok_s: float, ttft: float, seed: int) -> Path:
    records = requests(60, tok_s=tok_s, ttft_ms=ttft, seed=seed)
    return write_result(tmp / tag, headline_doc(tag, records), records)


def _compare(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, dict[str, Any]]:
    code = run_cli(["compare", *args, "--json"])
    out = capsys.readouterr().out
    return code, json.loads(out) if out.strip() else {}


def _cell(doc: dict[str, Any], metric: str, run: int = 0) -> dict[str, Any]:
    cell: dict[str, Any] = doc["comparisons"][run]["metrics"][metric]
    return cell


def test_faster_run_is_better_and_lower_ttft_is_better(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    base = _run(tmp_path, "base", tok_s=100, ttft=200, seed=1)
    fast = _run(tmp_path, "fast", tok_s=130, ttft=150, seed=2)
    code, doc = _compare(capsys, str(base), str(fast))
    assert code == 0
    tok, ttft = _cell(doc, "single_tok_s"), _cell(doc, "ttft_ms")
    assert tok["verdict"] == "better" and tok["delta"] > 0 and tok["ci"][0] > 0
    assert ttft["verdict"] == "better" and ttft["delta"] < 0 and ttft["ci"][1] < 0
    assert tok["method"] == "bootstrap over requests (60 vs 60)"
    # absent metrics: no value, no delta, no verdict
    assert _cell(doc, "raw_peak_tok_s") | {} == {
        "baseline": None,
        "value": None,
        "delta": None,
        "delta_pct": None,
        "ci": None,
        "ci_pct": None,
        "method": None,
        "verdict": None,
        "regression": False,
    }
    assert doc["runs"][0]["per_request_data"] is True


def test_slower_run_is_worse_and_fails_the_gate(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    base = _run(tmp_path, "base", tok_s=100, ttft=200, seed=1)
    slow = _run(tmp_path, "slow", tok_s=70, ttft=300, seed=3)
    code, doc = _compare(capsys, str(base), str(slow), "--fail-on-regression", "10")
    assert code == 1
    assert _cell(doc, "single_tok_s")["verdict"] == "worse"
    assert _cell(doc, "ttft_ms")["verdict"] == "worse"  # higher TTFT is worse
    assert {r["metric"] for r in doc["regressions"]} == {"single_tok_s", "ttft_ms"}
    # tok/s is ~30 % down, TTFT ~50 % up: a gate at 80 % lets both through
    code, doc = _compare(capsys, str(base), str(slow), "--fail-on-regression", "80")
    assert code == 0 and doc["regressions"] == []


def test_same_setup_is_within_noise_even_with_a_zero_threshold(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    base = _run(tmp_path, "base", tok_s=100, ttft=200, seed=1)
    again = _run(tmp_path, "again", tok_s=100, ttft=200, seed=7)
    code, doc = _compare(capsys, str(base), str(again), "--fail-on-regression", "0")
    assert code == 0
    assert _cell(doc, "single_tok_s")["verdict"] == "within noise"
    assert _cell(doc, "ttft_ms")["verdict"] == "within noise"


def _quality_runs(tmp: Path, tag: str, values: list[float]) -> str:
    paths = []
    for i, q in enumerate(values):
        paths.append(write_result(tmp / f"{tag}{i}", quality_doc(tag, q, dqs=q)))
    return ",".join(str(p) for p in paths)


def test_repeats_joined_by_commas_give_verdicts(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good = _quality_runs(tmp_path, "good", [0.80, 0.82, 0.81])
    bad = _quality_runs(tmp_path, "bad", [0.60, 0.62, 0.61])
    code, doc = _compare(capsys, good, bad, "--fail-on-regression", "5")
    assert code == 1
    cell = _cell(doc, "avg_quality")
    assert cell["verdict"] == "worse"
    assert cell["method"] == "bootstrap over repeats (3 vs 3)"
    assert cell["baseline"] == pytest.approx(0.81) and cell["value"] == pytest.approx(0.61)
    assert cell["delta_pct"] == pytest.approx(-0.20 / 0.81 * 100)


def test_noisy_repeats_are_within_noise_and_do_not_fail_the_gate(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    base = _quality_runs(tmp_path, "a", [0.5, 0.9])
    other = _quality_runs(tmp_path, "b", [0.45, 0.85])  # -7 % on the means, spread 0.4
    code, doc = _compare(capsys, base, other, "--fail-on-regression", "5")
    assert _cell(doc, "avg_quality")["verdict"] == "within noise"
    assert code == 0


def test_without_statistics_the_gate_uses_the_delta(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    base = write_result(tmp_path / "a", quality_doc("a", 0.8, 0.8))
    other = write_result(tmp_path / "b", quality_doc("b", 0.6, 0.6))
    code, doc = _compare(capsys, str(base), str(other), "--fail-on-regression", "10")
    assert code == 1
    cell = _cell(doc, "dqs")
    assert cell["verdict"] is None and cell["ci"] is None
    assert cell["delta_pct"] == pytest.approx(-25.0)
    assert cell["regression"] is True


def test_repeats_inside_a_result(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    a = quality_doc("a", 0.8, 0.81)
    a["verification"] = {"runs": 3, "dqs": {"mean": 0.81, "values": [0.80, 0.82, 0.81]}}
    b = quality_doc("b", 0.7, 0.70)
    b["repeats"] = [{"dqs": {"run": {"dqs": v}}} for v in (0.70, 0.71, 0.69)]
    code, doc = _compare(
        capsys, str(write_result(tmp_path / "a", a)), str(write_result(tmp_path / "b", b))
    )
    assert code == 0
    assert _cell(doc, "dqs")["verdict"] == "worse"
    assert _cell(doc, "dqs")["method"] == "bootstrap over repeats (3 vs 3)"


def test_reads_pawbench_1_1_4_results(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    current = write_result(tmp_path / "c", quality_doc("current", 0.7, 0.75))
    code, doc = _compare(capsys, str(LEGACY_RESULT), str(current))
    assert code == 0
    assert doc["runs"][0]["formats"] == ["PawBench 1.1.4"]
    assert doc["runs"][0]["headline"] == {
        "single_tok_s": 82.4,
        "ttft_ms": 212.0,
        "raw_peak_tok_s": 1310.5,
        "avg_quality": 0.78,
        "tool_accuracy": 0.91,
        "format_compliance": 0.85,
        "useful_ratio": 0.64,
        "steering_rate": 0.75,
        "dqs": 0.812,
    }
    assert _cell(doc, "ttft_ms")["delta"] == pytest.approx(50.0 - 212.0)


def test_same_seed_same_intervals(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    base = _run(tmp_path, "base", tok_s=100, ttft=200, seed=1)
    other = _run(tmp_path, "other", tok_s=110, ttft=190, seed=2)
    first = _compare(capsys, str(base), str(other), "--seed", "5")
    assert first == _compare(capsys, str(base), str(other), "--seed", "5")


def test_console_table_shows_dashes_for_absent_metrics(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    base = _run(tmp_path, "base", tok_s=100, ttft=200, seed=1)
    fast = _run(tmp_path, "fast", tok_s=130, ttft=150, seed=2)
    assert run_cli(["compare", str(base), str(fast)]) == 0
    out = capsys.readouterr().out
    peak = next(line for line in out.splitlines() if "raw peak tok/s" in line)
    assert peak.count("-") >= 3 and "better" not in peak
    assert "better" in next(line for line in out.splitlines() if "single-agent" in line)


@pytest.mark.parametrize(
    ("content", "message"),
    [(None, "cannot read"), ("[1, 2]", "not a pawbench result"), ("{oops", "not valid JSON")],
)
def test_bad_inputs_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str | None, message: str
) -> None:
    good = write_result(tmp_path / "a", quality_doc("a", 0.8, 0.8))
    bad = tmp_path / "bad.json"
    if content is not None:
        bad.write_text(content)
    assert run_cli(["compare", str(good), str(bad)]) == 2
    assert message in capsys.readouterr().err
    assert run_cli(["compare", str(good)]) == 2  # one run: nothing to compare


def test_pawbench_compare_script(tmp_path: Path) -> None:
    base = write_result(tmp_path / "a", quality_doc("a", 0.8, 0.8))
    other = write_result(tmp_path / "b", quality_doc("b", 0.6, 0.6))
    exe = Path(sys.executable).parent / "pawbench-compare"
    env = {k: v for k, v in os.environ.items() if not k.startswith("PAWBENCH_")}
    env.update({"COLUMNS": "200", "NO_COLOR": "1"})
    proc = subprocess.run(
        [str(exe), str(base), str(other), "--fail-on-regression", "10"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert proc.returncode == 1, proc.stderr
    assert "regression beyond 10.0%" in proc.stdout
