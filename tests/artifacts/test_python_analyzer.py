"""The ``python`` analyzer over hand-made files, with the real ruff, mypy and radon.

One analysis (module-scoped) serves most assertions: mypy takes about a second to start.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from pawbench_builtins.analyzers.python import PythonAnalyzer, PythonOptions

from pawbench.api import AnalyzerReport

CLEAN = textwrap.dedent('''
    """Arithmetic helpers."""


    def add(a: int, b: int) -> int:
        """Sum of two integers."""
        return a + b


    def mean(values: list[float]) -> float:
        """Arithmetic mean; 0.0 for no values."""
        if not values:
            return 0.0
        return sum(values) / len(values)
''').lstrip()

DIRTY = textwrap.dedent("""
    import os, sys
    def f(l=[]):
        x: int = "a"
        if l == None:
            return 1 + "x"
        return l
""").lstrip()

BROKEN = "def g(:\n    return 1\n"

BRANCHES = "\n".join(f"    if x == {i}:\n        return {i}" for i in range(25))
COMPLEX = f'"""Many branches."""\n\n\ndef pick(x: int) -> int:\n{BRANCHES}\n    return -1\n'

NEWER = "type Pair = tuple[int, int]\n\n\ndef first[T](items: list[T]) -> T:\n    return items[0]\n"

FILES = {
    "pkg/clean.py": CLEAN,
    "pkg/dirty.py": DIRTY,
    "broken.py": BROKEN,
    "complex.py": COMPLEX,
    "newer.py": NEWER,
}


def _analyze(files: dict[str, str], root: Path, timeout_s: float = 120.0) -> AnalyzerReport:
    for path, content in files.items():
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_text(content)
    return PythonAnalyzer(PythonOptions(timeout_s=timeout_s)).analyze(files, root)


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> AnalyzerReport:
    return _analyze(FILES, tmp_path_factory.mktemp("py"))


def metric(report: AnalyzerReport, path: str, name: str) -> float:
    return report.metrics[f"file:{path}:{name}"]


def codes(report: AnalyzerReport, path: str, tool: str) -> set[str]:
    return {f.code for f in report.findings if f.path == path and f.tool == tool}


def test_handles_python_files_only() -> None:
    analyzer = PythonAnalyzer(PythonOptions())
    assert analyzer.handles("a/b.py") and analyzer.handles("stubs/x.pyi")
    assert not analyzer.handles("index.html") and not analyzer.handles("py")


def test_clean_code_scores_full_marks(report: AnalyzerReport) -> None:
    assert report.files == sorted(FILES)
    assert metric(report, "pkg/clean.py", "score") == 1.0
    assert metric(report, "pkg/clean.py", "ruff_findings") == 0
    assert metric(report, "pkg/clean.py", "mypy_errors") == 0
    assert metric(report, "pkg/clean.py", "functions") == 2
    assert not [f for f in report.findings if f.path == "pkg/clean.py"]


def test_lint_and_type_errors_lower_the_score_as_the_formula_says(report: AnalyzerReport) -> None:
    assert {"E401", "F401", "B006", "E711", "F841"} <= codes(report, "pkg/dirty.py", "ruff")
    assert codes(report, "pkg/dirty.py", "mypy") == {"assignment", "operator"}
    lines = metric(report, "pkg/dirty.py", "lines")
    assert lines == 6
    ruff = metric(report, "pkg/dirty.py", "ruff_findings")
    mypy = metric(report, "pkg/dirty.py", "mypy_errors")
    assert mypy == 2
    lint = 1 / (1 + (100 * ruff / 20) / 10)  # densities use at least 20 lines
    types = 1 / (1 + (100 * mypy / 20) / 5)
    assert metric(report, "pkg/dirty.py", "lint_score") == pytest.approx(lint)
    assert metric(report, "pkg/dirty.py", "types_score") == pytest.approx(types)
    assert metric(report, "pkg/dirty.py", "complexity_score") == 1.0  # cc 2: rank A
    assert metric(report, "pkg/dirty.py", "maintainability_score") == 1.0  # MI >= 20
    expected = 0.35 * lint + 0.35 * types + 0.15 + 0.15
    assert metric(report, "pkg/dirty.py", "score") == pytest.approx(expected)
    assert metric(report, "pkg/dirty.py", "score") < metric(report, "pkg/clean.py", "score")


def test_a_file_that_does_not_parse_scores_zero_and_does_not_stop_mypy(
    report: AnalyzerReport,
) -> None:
    assert metric(report, "broken.py", "parse_ok") == 0
    assert metric(report, "broken.py", "score") == 0
    assert "invalid-syntax" in codes(report, "broken.py", "ruff")
    assert "file:broken.py:types_score" not in report.metrics
    assert metric(report, "pkg/dirty.py", "mypy_errors") == 2  # mypy ran without broken.py


def test_complexity_is_ranked_per_function(report: AnalyzerReport) -> None:
    assert metric(report, "complex.py", "cc_max") == 26
    assert metric(report, "complex.py", "complexity_score") == 0.4  # rank D (21-30)
    assert metric(report, "complex.py", "score") < 1.0


def test_newer_syntax_is_judged_by_ruff_and_mypy_not_by_the_running_python(
    report: AnalyzerReport,
) -> None:
    assert metric(report, "newer.py", "parse_ok") == 1
    assert metric(report, "newer.py", "lint_score") == 1.0
    assert metric(report, "newer.py", "types_score") == 1.0
    assert metric(report, "newer.py", "score") > 0.9


def test_mypy_falls_back_to_one_file_at_a_time_when_modules_clash(tmp_path: Path) -> None:
    files = {"a.py": "X = 1\n", "a/__init__.py": "Y = 2\n", "b.py": 'n: int = "s"\n'}
    report = _analyze(files, tmp_path)
    assert metric(report, "b.py", "mypy_errors") == 1
    assert metric(report, "a.py", "mypy_errors") == 0
    assert not [f for f in report.findings if f.code == "no-signal"]


def test_timed_out_tools_are_no_signal_not_zero(tmp_path: Path) -> None:
    report = _analyze({"pkg/clean.py": CLEAN}, tmp_path, timeout_s=0.001)
    notes = {f.tool: f.message for f in report.findings if f.code == "no-signal"}
    assert notes == {"ruff": "ruff timed out after 0.001 s", "mypy": "mypy timed out after 0.001 s"}
    assert "file:pkg/clean.py:lint_score" not in report.metrics
    assert "file:pkg/clean.py:types_score" not in report.metrics
    assert metric(report, "pkg/clean.py", "score") == 1.0  # from radon's measures alone
