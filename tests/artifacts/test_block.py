"""The ``dim5_artifact_quality`` block: per file, session, scenario and run; no signal is
reported with its reason and left out of every mean."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

from pawbench.api import Analyzer, AnalyzerReport, hookimpl
from pawbench.artifacts import BLOCK_KEY, analyze_sessions, skipped_block
from tests.artifacts.support import analyzer_host, file_row, session

GOOD_JS = "export function f(a) {\n  return a + 1;\n}\n"  # generic score 1.0, 3 lines
BROKEN_JS = "function f() {\n"  # does not parse: 0.0, 1 line
CLEAN_PY = '"""Doc."""\n\n\ndef f(x: int) -> int:\n    """Double."""\n    return 2 * x\n'


class CrashingAnalyzer(Analyzer):
    """Crashes on every file it handles."""

    name = "crash"

    def handles(self, path: str) -> bool:
        return path.endswith(".crash")

    def analyze(self, files: Mapping[str, str], workdir: Path) -> AnalyzerReport:
        raise RuntimeError("boom")


class CrashPlugin:
    @hookimpl
    def pawbench_register_analyzers(self) -> list[type[Analyzer]]:
        return [CrashingAnalyzer]


def _block(*sessions: Any, analyzers: list[str] | None = None) -> dict[str, Any]:
    host = analyzer_host(("test-crash", CrashPlugin()))
    return analyze_sessions(host, list(sessions), analyzers=analyzers, workers=2)


def test_means_per_session_scenario_and_run() -> None:
    block = _block(
        session({"a.js": GOOD_JS, "b.js": BROKEN_JS}, session_id="s1", scenario_id="one"),
        session({"a.js": GOOD_JS}, session_id="s2", scenario_id="one", level=2),
        session({"b.js": BROKEN_JS}, session_id="s3", scenario_id="two"),
    )
    assert block["enabled"] is True and block["schema"] == 1
    sessions = {s["session_id"]: s for s in block["sessions"]}
    assert sessions["s1"]["score"] == pytest.approx(3 / 4)  # (1.0 * 3 + 0.0 * 1) / 4 lines
    assert sessions["s1"]["lines_scored"] == 4
    assert sessions["s2"]["score"] == 1.0
    assert sessions["s3"]["score"] == 0.0
    one, two = block["scenarios"]
    assert one["scenario_id"] == "one" and one["score"] == pytest.approx((0.75 + 1.0) / 2)
    assert one["levels"] == [
        {"level": 1, "score": pytest.approx(0.75), "sessions_scored": 1},
        {"level": 2, "score": 1.0, "sessions_scored": 1},
    ]
    assert two["score"] == 0.0
    aggregate = block["aggregate"]
    assert aggregate["score"] == pytest.approx((0.875 + 0.0) / 2)
    assert aggregate["languages"]["javascript"] == {
        "files": 4,
        "files_scored": 4,
        "score": pytest.approx((1.0 * 3 * 2 + 0.0 * 1 * 2) / 8),
    }
    assert {"tool": "generic", "code": "parse", "count": 2} in aggregate["top_findings"]


def test_no_signal_is_reported_and_never_averaged_as_zero() -> None:
    block = _block(
        session({"a.js": GOOD_JS, "x.png": "not an image", "e.js": "\n\n"}, session_id="s1"),
        session({}, session_id="s2"),
        session({"../x.js": GOOD_JS}, session_id="s3"),
        session({"only.bin": "zz"}, session_id="s4"),
        session({"f.crash": "zz"}, session_id="s5"),
    )
    sessions = {s["session_id"]: s for s in block["sessions"]}
    assert sessions["s1"]["score"] == 1.0  # x.png and the empty e.js are not zeros
    png = file_row(block, "x.png")
    assert png["status"] == "no_signal" and png["score"] is None
    assert png["reason"] == "no analyzer handles this file type"
    assert file_row(block, "e.js")["status"] == "empty"
    assert (sessions["s2"]["status"], sessions["s2"]["reason"]) == (
        "no_files",
        "no file was written",
    )
    assert sessions["s3"]["reason"] == "every written file was rejected"
    assert (sessions["s4"]["status"], sessions["s4"]["score"]) == ("no_signal", None)
    crash = file_row(block, "f.crash", "s5")
    assert crash["reason"] == "analyzer 'crash' failed: RuntimeError: boom"
    assert block["scenarios"][0]["score"] == 1.0
    assert block["aggregate"]["score"] == 1.0
    assert block["aggregate"]["sessions_scored"] == 1
    assert block["aggregate"]["files_no_signal"] == 3  # x.png, only.bin, f.crash


def test_nothing_analysable_gives_no_score_with_a_reason() -> None:
    block = _block(session({"README": "hello"}), session({}, session_id="s2"))
    assert block["aggregate"]["score"] is None
    assert block["aggregate"]["reason"] == "no counted session wrote a file with signal"
    assert block["scenarios"][0]["reason"] == "no counted session has a scored file"
    empty = _block()
    assert empty["aggregate"]["score"] is None and empty["sessions"] == []


def test_a_missing_analyzer_leaves_its_files_without_signal() -> None:
    block = _block(
        session({"app.py": CLEAN_PY, "a.js": GOOD_JS}),
        analyzers=["generic", "nonexistent"],
    )
    assert file_row(block, "app.py")["reason"] == "no analyzer handles this file type"
    assert block["sessions"][0]["score"] == 1.0
    rows = {a["name"]: a for a in block["analyzers"]}
    assert rows["generic"]["status"] == "used"
    assert rows["nonexistent"]["status"] == "unusable"
    assert "unknown analyzer 'nonexistent'" in rows["nonexistent"]["reason"]


def test_mixed_html_and_python_are_both_analysed() -> None:
    html = "<html><body><main><p>hi</main></body></html>"
    block = _block(session({"web/index.html": html, "web/app.py": CLEAN_PY}))
    assert [a["analyzer"] for a in file_row(block, "web/index.html")["analyses"]] == ["generic"]
    assert [a["analyzer"] for a in file_row(block, "web/app.py")["analyses"]] == ["python"]
    assert file_row(block, "web/app.py")["score"] == 1.0
    assert file_row(block, "web/index.html")["score"] == 1.0
    assert set(block["aggregate"]["languages"]) == {"html", "python"}


def test_sessions_that_ended_in_error_are_reported_but_not_counted() -> None:
    block = _block(
        session({"a.js": GOOD_JS}, session_id="ok"),
        session({"b.js": BROKEN_JS}, session_id="err", status="error"),
    )
    err = next(s for s in block["sessions"] if s["session_id"] == "err")
    assert err["counted"] is False and err["score"] == 0.0
    assert err["excluded_because"] == "the session ended with status error"
    assert block["aggregate"]["score"] == 1.0
    assert block["aggregate"]["sessions_counted"] == 1


def test_identical_file_sets_are_analysed_once_and_reported_per_session() -> None:
    files = {"a.js": GOOD_JS}
    lines: list[str] = []
    block = analyze_sessions(
        analyzer_host(),
        [session(files, session_id=f"s{i}", level=i) for i in (1, 2, 4)],
        analyzers=["generic"],
        progress=lines.append,
    )
    assert lines == ["artifact quality: 1 file set, analyzers: generic"]
    assert [s["score"] for s in block["sessions"]] == [1.0, 1.0, 1.0]
    assert block["sessions"][0]["files"] == block["sessions"][2]["files"]


def test_skipped_block() -> None:
    assert BLOCK_KEY == "dim5_artifact_quality"
    assert skipped_block() == {
        "enabled": False,
        "schema": 1,
        "doc": "docs/artifact-quality.md",
        "reason": "skipped with --no-quality-analysis",
    }


def test_paths_with_colons_keep_their_metrics() -> None:
    block = _block(session({"dir:x/a:b.js": GOOD_JS}))
    row = file_row(block, "dir:x/a:b.js")
    assert row["score"] == 1.0
    assert row["analyses"][0]["metrics"]["lines"] == 3
