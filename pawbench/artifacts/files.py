"""Analysis of one session's files: materialise them, run the analyzers, read their reports.

Reading a report (the convention for every analyzer, documented in docs/artifact-quality.md):
``metrics["file:<path>:score"]`` is the file's score in 0..1 (absent: no signal); other
``file:<path>:<name>`` keys are measures shown with it; a finding with code ``no-signal`` says a
measure could not be taken (tool missing, failed, timed out) and is not a defect.
"""

from __future__ import annotations

import math
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from pawbench.components import NO_SIGNAL, Analyzer, AnalyzerReport, Finding

from .languages import language_of, nonblank_lines
from .materialise import Rejected, materialise
from .suite import AnalyzerSuite

NO_SIGNAL_CODE = NO_SIGNAL
FileStatus = Literal["scored", "no_signal", "empty"]


@dataclass
class FileAnalysis:
    """One analyzer's view of one file."""

    analyzer: str
    score: float | None
    metrics: dict[str, float] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)
    no_signal: list[str] = field(default_factory=list)


@dataclass
class FileResult:
    """A written file: its language, weight, analyses and combined score."""

    path: str
    language: str
    lines: int
    analyses: list[FileAnalysis] = field(default_factory=list)

    @property
    def score(self) -> float | None:
        """Mean of the analyzers' scores (usually one); None: no signal."""
        scores = [a.score for a in self.analyses if a.score is not None]
        return sum(scores) / len(scores) if scores else None

    @property
    def status(self) -> FileStatus:
        """``empty`` (nothing but whitespace), ``scored`` or ``no_signal``."""
        if self.lines == 0:
            return "empty"
        return "scored" if self.score is not None else "no_signal"

    @property
    def reason(self) -> str | None:
        """Why a non-empty file has no score."""
        if self.status != "no_signal":
            return None
        if not self.analyses:
            return "no analyzer handles this file type"
        notes = [n for a in self.analyses for n in a.no_signal]
        return "; ".join(notes) or "the analyzers gave no score"


@dataclass
class FilesOutcome:
    """Every file of a session, the ones that were not written, and an error that stopped the
    whole analysis (None: it ran)."""

    files: list[FileResult] = field(default_factory=list)
    rejected: list[Rejected] = field(default_factory=list)
    error: str | None = None


def analyse_files(suite: AnalyzerSuite, files: Mapping[str, str]) -> FilesOutcome:
    """Materialise ``files`` in a fresh temporary directory and run the suite over them."""
    with tempfile.TemporaryDirectory(prefix="pawbench-artifacts-") as tmp:
        root = Path(tmp) / "files"
        root.mkdir()
        placed = materialise(files, root)
        results = {
            p: FileResult(p, language_of(p), nonblank_lines(c)) for p, c in placed.files.items()
        }
        analysable = {p: placed.files[p] for p, r in results.items() if r.lines > 0}
        for name, paths in suite.assign(analysable).items():
            subset = {p: analysable[p] for p in paths}
            for path, analysis in run_analyzer(suite.analyzers[name], name, subset, root).items():
                results[path].analyses.append(analysis)
    return FilesOutcome(sorted(results.values(), key=lambda r: r.path), placed.rejected)


def run_analyzer(
    analyzer: Analyzer, name: str, subset: Mapping[str, str], root: Path
) -> dict[str, FileAnalysis]:
    """One analyzer over its files; a failure is no signal for each of them."""
    try:
        report = analyzer.analyze(dict(subset), root)
        if not isinstance(report, AnalyzerReport):
            raise TypeError(f"analyze returned {type(report).__name__}, not an AnalyzerReport")
    except Exception as exc:  # a broken or crashing analyzer is no signal, never fatal
        reason = f"analyzer {name!r} failed: {type(exc).__name__}: {_short(str(exc))}"
        return {p: FileAnalysis(name, None, no_signal=[reason]) for p in subset}
    return split_report(report, name, subset)


def split_report(
    report: AnalyzerReport, name: str, subset: Mapping[str, str]
) -> dict[str, FileAnalysis]:
    """Per-file analyses from a report (keys and findings of other paths are ignored)."""
    out = {p: FileAnalysis(name, None) for p in subset}
    for key, value in report.metrics.items():
        path, _, metric = key.removeprefix("file:").rpartition(":")
        if key.startswith("file:") and path in out and math.isfinite(value):
            out[path].metrics[metric] = float(value)
    for finding in report.findings:
        if finding.path in out:
            target = out[finding.path]
            if finding.code == NO_SIGNAL_CODE:
                target.no_signal.append(f"{finding.tool}: {_short(finding.message)}")
            else:
                target.findings.append(finding)
    for analysis in out.values():
        score = analysis.metrics.pop("score", None)
        if score is not None and not 0.0 <= score <= 1.0:
            analysis.no_signal.append(f"{name}: score {score!r} is outside 0..1")
            score = None
        analysis.score = score
    return out


def _short(text: str) -> str:
    return " ".join(text.split())[:300]
