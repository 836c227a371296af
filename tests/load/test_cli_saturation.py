"""``pawbench run --saturation-only`` through the real CLI (embedded simulator)."""

from __future__ import annotations

from pathlib import Path

import orjson

from tests.conftest import RunPawbench


def test_saturation_only_writes_a_curve(run_pawbench: RunPawbench, tmp_path: Path) -> None:
    out = tmp_path / "out"
    proc = run_pawbench(
        "run",
        "--saturation-only",
        "--concurrency",
        "1,2",
        "--saturation-duration",
        "0.4",
        "--warmup",
        "0.1",
        "--slo",
        "ttft_ms=2000,tpot_ms=50",
        "--output",
        str(out),
    )
    assert proc.returncode == 0, proc.stderr
    (result,) = out.glob("pawbench_*Z.json")
    doc = orjson.loads(result.read_bytes())
    assert doc["levels"] == [] and doc["simulated"] is True
    curve = doc["saturation_curve"]
    assert [b["concurrency"] for b in curve] == [1, 2]
    for b in curve:
        assert b["tok_s"] > 0 and b["requests"] > 0 and b["window"]["duration_s"] == 0.4
        assert set(b["ttft_ms"]) >= {"p50", "p90", "p99", "mean", "max"}
        assert b["achieved_concurrency"]["max"] == b["concurrency"]
        assert b["client"]["loop_lag_ms"]["count"] > 0 and "client_bottleneck" in b
        assert b["goodput"]["share"] == 1.0  # the simulator is far inside these SLOs
    analysis = doc["saturation"]["analysis"]
    assert analysis["slo"]["highest_meeting"] == 2
    assert doc["dim1_throughput"]["raw_peak_tok_s"] == max(b["tok_s"] for b in curve)
    # not a terminal: short progress lines on stderr, the summary on stdout
    assert "saturation, concurrency 2" in proc.stderr
    assert "Raw saturation" in proc.stdout and "knee" in proc.stdout


def test_json_output_is_quiet(run_pawbench: RunPawbench, tmp_path: Path) -> None:
    proc = run_pawbench(
        "run",
        "--saturation-only",
        "--concurrency",
        "1",
        "--saturation-requests",
        "5",
        "--warmup",
        "0",
        "--json",
        "--output",
        str(tmp_path / "out"),
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""
    doc = orjson.loads(proc.stdout)
    (level,) = doc["saturation_curve"]
    assert level["requests"] >= 5 and doc["saturation"]["requests"] == 5


def test_bad_saturation_flags_are_usage_errors(run_pawbench: RunPawbench, tmp_path: Path) -> None:
    for args, words in (
        (["--saturation-only", "--no-saturation"], "exclude each other"),
        (["--slo", "ttft=5"], "--slo"),
        (["--request-rate", "0"], "--request-rate"),
        (["--saturation-duration", "2", "--saturation-requests", "3"], "not both"),
    ):
        proc = run_pawbench("run", *args, "--output", str(tmp_path / "out"))
        assert proc.returncode == 2, (args, proc.stderr)
        assert words in proc.stderr, (args, proc.stderr)
