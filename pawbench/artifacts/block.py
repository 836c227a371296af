"""The ``dim5_artifact_quality`` result block: per file, session, scenario and run.

Means (docs/artifact-quality.md): a session's score is the mean of its scored files weighted by
non-blank lines; a scenario's is the mean of its counted, scored sessions; the run's is the mean
of its scored scenarios. Anything without signal is reported with its reason and left out of
every mean, never counted as zero.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import Any

from pawbench.models.records import TERMINAL_EXCLUDED, SessionRecord

from .files import FileAnalysis, FileResult, FilesOutcome
from .suite import AnalyzerSuite

SCHEMA = 1
DOC = "docs/artifact-quality.md"
MAX_FINDINGS_PER_FILE = 20
TOP_FINDINGS = 15


def _mean(values: Iterable[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return sum(present) / len(present) if present else None


def _weighted(files: Iterable[FileResult]) -> float | None:
    pairs = [(f.score, max(f.lines, 1)) for f in files if f.score is not None]
    total = sum(w for _, w in pairs)
    return sum(s * w for s, w in pairs) / total if total else None


def _analysis_row(analysis: FileAnalysis) -> dict[str, Any]:
    return {
        "analyzer": analysis.analyzer,
        "score": analysis.score,
        "metrics": analysis.metrics,
        "no_signal": analysis.no_signal,
        "findings_total": len(analysis.findings),
        "findings": [
            f.model_dump(exclude={"path"}) for f in analysis.findings[:MAX_FINDINGS_PER_FILE]
        ],
    }


def _file_row(result: FileResult) -> dict[str, Any]:
    return {
        "path": result.path,
        "language": result.language,
        "lines": result.lines,
        "status": result.status,
        "score": result.score,
        "reason": result.reason,
        "analyses": [_analysis_row(a) for a in result.analyses],
    }


def _session_row(record: SessionRecord, outcome: FilesOutcome) -> dict[str, Any]:
    score = _weighted(outcome.files)
    if outcome.error is not None:
        status, reason = "no_signal", outcome.error
    elif score is not None:
        status, reason = "scored", None
    elif not outcome.files:
        status = "no_files"
        reason = "every written file was rejected" if outcome.rejected else "no file was written"
    else:
        status, reason = "no_signal", "no written file could be scored"
    counted = record.status not in TERMINAL_EXCLUDED
    return {
        "session_id": record.session_id,
        "scenario_id": record.scenario_id,
        "agent_id": record.agent_id,
        "level": record.level,
        "session_status": record.status,
        "counted": counted,
        "excluded_because": None if counted else f"the session ended with status {record.status}",
        "status": status,
        "score": score,
        "reason": reason,
        "lines_scored": sum(f.lines for f in outcome.files if f.score is not None),
        "files": [_file_row(f) for f in outcome.files],
        "rejected": [{"path": r.path, "reason": r.reason} for r in outcome.rejected],
    }


def _scenario_row(scenario_id: str, rows: list[dict[str, Any]]) -> dict[str, Any]:
    counted = [r for r in rows if r["counted"]]
    levels = sorted({r["level"] for r in counted})
    score = _mean(r["score"] for r in counted)
    return {
        "scenario_id": scenario_id,
        "score": score,
        "reason": None if score is not None else "no counted session has a scored file",
        "sessions": len(rows),
        "sessions_counted": len(counted),
        "sessions_scored": sum(1 for r in counted if r["score"] is not None),
        "levels": [
            {
                "level": level,
                "score": _mean(r["score"] for r in counted if r["level"] == level),
                "sessions_scored": sum(
                    1 for r in counted if r["level"] == level and r["score"] is not None
                ),
            }
            for level in levels
        ],
    }


def _languages(files: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for language in sorted({f["language"] for f in files}):
        mine = [f for f in files if f["language"] == language and f["status"] != "empty"]
        scored = [(f["score"], max(f["lines"], 1)) for f in mine if f["score"] is not None]
        weight = sum(w for _, w in scored)
        out[language] = {
            "files": len(mine),
            "files_scored": len(scored),
            "score": sum(s * w for s, w in scored) / weight if weight else None,
        }
    return out


def _top_findings(files: list[dict[str, Any]]) -> list[dict[str, Any]]:
    counts: Counter[tuple[str, str]] = Counter()
    for file in files:
        for analysis in file["analyses"]:
            for finding in analysis["findings"]:
                counts[(finding["tool"], finding["code"])] += 1
    return [
        {"tool": tool, "code": code, "count": n}
        for (tool, code), n in counts.most_common(TOP_FINDINGS)
    ]


def _aggregate(sessions: list[dict[str, Any]], scenarios: list[dict[str, Any]]) -> dict[str, Any]:
    counted = [s for s in sessions if s["counted"]]
    files = [f for s in counted for f in s["files"]]
    score = _mean(s["score"] for s in scenarios)
    statuses = Counter(f["status"] for f in files)
    return {
        "score": score,
        "reason": None if score is not None else "no counted session wrote a file with signal",
        "scenarios": len(scenarios),
        "scenarios_scored": sum(1 for s in scenarios if s["score"] is not None),
        "sessions": len(sessions),
        "sessions_counted": len(counted),
        "sessions_scored": sum(1 for s in counted if s["score"] is not None),
        "files": len(files),
        "files_scored": statuses["scored"],
        "files_no_signal": statuses["no_signal"],
        "files_empty": statuses["empty"],
        "files_rejected": sum(len(s["rejected"]) for s in counted),
        "languages": _languages(files),
        "top_findings": _top_findings(files),
    }


def build_block(
    suite: AnalyzerSuite,
    analysed: list[tuple[SessionRecord, FilesOutcome]],
    timeout_s: float | None,
) -> dict[str, Any]:
    """The whole block for the sessions of a run, in the order given."""
    sessions = [_session_row(record, outcome) for record, outcome in analysed]
    order = list(dict.fromkeys(s["scenario_id"] for s in sessions))
    scenarios = [
        _scenario_row(sid, [s for s in sessions if s["scenario_id"] == sid]) for sid in order
    ]
    return {
        "enabled": True,
        "schema": SCHEMA,
        "doc": DOC,
        "timeout_s": timeout_s,
        "analyzers": suite.describe(),
        "aggregate": _aggregate(sessions, scenarios),
        "scenarios": scenarios,
        "sessions": sessions,
    }


def skipped_block(reason: str = "skipped with --no-quality-analysis") -> dict[str, Any]:
    """The block of a run that did not analyse its files."""
    return {"enabled": False, "schema": SCHEMA, "doc": DOC, "reason": reason}
