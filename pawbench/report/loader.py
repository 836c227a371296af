"""Loading result documents: this version's, older ones, and PawBench 1.1.4's published format.

A PawBench 1.1.4 file has the same familiar top-level names (``tag``, ``dim1_throughput``, ...)
but no ``schema_version`` and no per-request records; readers treat every block as optional.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from pawbench.errors import UsageError
from pawbench.models.jsondata import read_jsonl
from pawbench.report.values import items, mapping, number

LEGACY_FORMAT = "PawBench 1.1.4"
_MARKERS = ("schema_version", "dim1_throughput", "dim2_quality", "tag")


@dataclass(frozen=True)
class LoadedResult:
    """One result file, read and identified."""

    path: Path
    document: dict[str, Any]
    format: str
    requests_path: Path | None

    @property
    def label(self) -> str:
        """The run's tag, else the file name."""
        tag = self.document.get("tag")
        return tag if isinstance(tag, str) and tag else self.path.stem

    @property
    def legacy(self) -> bool:
        """True for a PawBench 1.1.4 file (no ``schema_version``)."""
        return self.format == LEGACY_FORMAT

    def for_reporter(self) -> dict[str, Any]:
        """The document with ``requests_jsonl`` pointing at the file found (absolute)."""
        doc = dict(self.document)
        if self.requests_path is not None:
            doc["requests_jsonl"] = str(self.requests_path.resolve())
        return doc


def _parse(raw: bytes, path: Path) -> Any:
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError:
        pass
    try:  # Python's json module writes NaN/Infinity, which orjson refuses; read them as null
        return json.loads(raw, parse_constant=lambda _name: None)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise UsageError(f"{path}: not valid JSON ({exc})") from None


def _requests_path(doc: Mapping[str, Any], path: Path) -> Path | None:
    """The requests.jsonl the result names: as written, else next to the result file."""
    named = doc.get("requests_jsonl")
    if not isinstance(named, str) or not named:
        return None
    for candidate in (Path(named), path.parent / Path(named).name):
        if candidate.is_file():
            return candidate
    return None


def load_result(path: Path) -> LoadedResult:
    """Read one result file; a clear UsageError (exit code 2) when it is not one."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise UsageError(f"{path}: cannot read the result file ({exc.strerror})") from None
    doc = _parse(raw, path)
    if not isinstance(doc, dict) or not any(key in doc for key in _MARKERS):
        raise UsageError(f"{path}: not a pawbench result (no tag, schema_version or dim blocks)")
    version = doc.get("schema_version")
    fmt = f"pawbench {version}" if isinstance(version, str) else LEGACY_FORMAT
    return LoadedResult(path, doc, fmt, _requests_path(doc, path))


@dataclass(frozen=True)
class RequestSample:
    """The fields of one request record that compare and the reports use."""

    level: int
    scenario_id: str
    ok: bool
    ttft_ms: float | None
    tpot_ms: float | None
    e2e_ms: float | None
    completion_tokens: float | None


def read_requests(path: Path) -> Iterator[RequestSample]:
    """Request records of a requests.jsonl file; other records and broken lines are skipped."""
    for rec in read_jsonl(path):
        if rec.get("record") != "request":
            continue
        level = rec.get("level")
        yield RequestSample(
            level=level if isinstance(level, int) else 0,
            scenario_id=str(rec.get("scenario_id", "")),
            ok=rec.get("status") == "ok",
            ttft_ms=number(rec.get("ttft_ms")),
            tpot_ms=number(rec.get("tpot_ms")),
            e2e_ms=number(rec.get("e2e_ms")),
            completion_tokens=number(rec.get("completion_tokens")),
        )


def embedded_repeats(doc: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """Repeated runs a document carries as a list of documents with the headline blocks
    (``repeats``, or ``verification.runs`` when that is a list)."""
    runs = items(doc.get("repeats")) or items(mapping(doc.get("verification")).get("runs"))
    return [run for run in runs if isinstance(run, Mapping)]
