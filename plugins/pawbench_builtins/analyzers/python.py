"""The ``python`` analyzer: ruff lint findings, mypy type errors, radon complexity and MI.

Per-file score (docs/artifact-quality.md): 0 when the file does not parse; otherwise the
weighted mean of the components that could be measured:

- lint = 1 / (1 + d / 10), d = ruff findings per 100 non-blank lines (at least 20 lines);
- types = 1 / (1 + d / 5), d = mypy errors per 100 non-blank lines (at least 20 lines);
- complexity = mean over functions and methods of radon's rank score (A 1.0 … F 0.0);
- maintainability = min(1, MI / 20) (radon ranks MI >= 20 as A).

Weights: lint 0.35, types 0.35, complexity 0.15, maintainability 0.15.
"""

from __future__ import annotations

import ast
import tempfile
from collections.abc import Mapping
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from pawbench.api import Analyzer, AnalyzerReport, Finding, hookimpl

from ._mypy import run_mypy
from ._proc import ToolOutcome
from ._radon import RadonMeasures, measure
from ._ruff import is_syntax_error, run_ruff
from ._scoring import decay, metric_key, no_signal, nonblank_lines, per_100_lines, weighted_mean

SUFFIXES = (".py", ".pyi")
WEIGHTS = {"lint": 0.35, "types": 0.35, "complexity": 0.15, "maintainability": 0.15}
LINT_HALF = 10.0
TYPES_HALF = 5.0
MI_FULL = 20.0


class PythonOptions(BaseModel):
    """Settings of the python analyzer."""

    model_config = ConfigDict(extra="forbid")

    timeout_s: float = Field(default=120.0, gt=0, description="limit of each tool run (seconds)")


class PythonAnalyzer(Analyzer):
    """Python files: ruff lint findings, mypy type errors, radon complexity and MI."""

    name = "python"
    Options = PythonOptions

    def handles(self, path: str) -> bool:
        return path.lower().endswith(SUFFIXES)

    def analyze(self, files: Mapping[str, str], workdir: Path) -> AnalyzerReport:
        paths = sorted(p for p in files if self.handles(p))
        options = self.options if isinstance(self.options, PythonOptions) else PythonOptions()
        timeout = options.timeout_s
        with tempfile.TemporaryDirectory(prefix="pawbench-python-") as tmp:
            scratch = Path(tmp)
            ruff = run_ruff(paths, workdir, scratch, timeout)
            parses = {p: _parses(p, files[p], ruff) for p in paths}
            mypy = run_mypy([p for p in paths if parses[p]], workdir, scratch, timeout)
        report = AnalyzerReport(analyzer=self.name, files=paths)
        for path in paths:
            _add_file(report, path, files[path], parses[path], ruff, mypy)
        return report


def _parses(path: str, source: str, ruff: ToolOutcome) -> bool:
    """ruff is the judge (it knows newer syntax); ``ast.parse`` (never runs code) without it."""
    if path in ruff.findings:
        return not any(is_syntax_error(f) for f in ruff.findings[path])
    try:
        ast.parse(source, filename=path)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return False
    return True


def _add_file(
    report: AnalyzerReport,
    path: str,
    source: str,
    parses: bool,
    ruff: ToolOutcome,
    mypy: ToolOutcome,
) -> None:
    lines = nonblank_lines(source)
    metrics: dict[str, float] = {"lines": lines, "parse_ok": 1.0 if parses else 0.0}
    findings: list[Finding] = list(ruff.findings.get(path, []))
    components: dict[str, float] = {}
    if not parses:
        if path not in ruff.findings:
            findings.append(
                Finding(path=path, tool="python", code="syntax", message="does not parse")
            )
        metrics["score"] = 0.0
    else:
        _lint(path, lines, ruff, metrics, components, findings)
        _types(path, lines, mypy, metrics, components, findings)
        _radon(path, source, metrics, components, findings)
        score = weighted_mean(components, WEIGHTS)
        if score is not None:
            metrics["score"] = score
    metrics.update({f"{k}_score": v for k, v in components.items()})
    report.metrics.update({metric_key(path, k): float(v) for k, v in metrics.items()})
    report.findings.extend(findings)


def _lint(
    path: str,
    lines: int,
    ruff: ToolOutcome,
    metrics: dict[str, float],
    components: dict[str, float],
    findings: list[Finding],
) -> None:
    if path in ruff.failed:
        findings.append(no_signal(path, "ruff", ruff.failed[path]))
        return
    count = len(ruff.findings.get(path, []))
    metrics["ruff_findings"] = count
    components["lint"] = decay(per_100_lines(count, lines), LINT_HALF)


def _types(
    path: str,
    lines: int,
    mypy: ToolOutcome,
    metrics: dict[str, float],
    components: dict[str, float],
    findings: list[Finding],
) -> None:
    if path in mypy.failed or path not in mypy.findings:
        findings.append(no_signal(path, "mypy", mypy.failed.get(path, "mypy did not run")))
        return
    errors = mypy.findings[path]
    findings.extend(errors)
    metrics["mypy_errors"] = len(errors)
    components["types"] = decay(per_100_lines(len(errors), lines), TYPES_HALF)


def _radon(
    path: str,
    source: str,
    metrics: dict[str, float],
    components: dict[str, float],
    findings: list[Finding],
) -> None:
    measured = measure(source)
    if not isinstance(measured, RadonMeasures):
        findings.append(no_signal(path, "radon", measured))
        return
    metrics["functions"] = measured.functions
    metrics["mi"] = measured.mi
    components["maintainability"] = min(1.0, max(0.0, measured.mi / MI_FULL))
    if measured.complexity_score is not None:
        metrics["cc_mean"] = measured.cc_mean or 0.0
        metrics["cc_max"] = measured.cc_max or 0
        components["complexity"] = measured.complexity_score


@hookimpl
def pawbench_register_analyzers() -> list[type[Analyzer]]:
    return [PythonAnalyzer]
