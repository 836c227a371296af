"""Artifact quality: static analysis of the files each agent session wrote (its final
workspace), after the run. Nothing the model wrote is executed or imported.

Entry point for the engine::

    block = analyze_sessions(host, sessions, timeout_s=120.0)   # dim5_artifact_quality
    block = skipped_block()                                     # --no-quality-analysis

Schema and formulas: docs/artifact-quality.md.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from pawbench.models.records import SessionRecord
from pawbench.plugins import PluginHost

from .block import build_block, skipped_block
from .files import NO_SIGNAL_CODE, FileResult, FilesOutcome, analyse_files
from .materialise import Materialised, Rejected, materialise
from .suite import AnalyzerSuite, load_suite

BLOCK_KEY = "dim5_artifact_quality"
NO_ANALYSIS_FLAG = "--no-quality-analysis"
DEFAULT_TIMEOUT_S = 120.0


def _key(files: Mapping[str, str]) -> str:
    """Identity of a file set (lone surrogates included: they are rejected later, not here)."""
    digest = hashlib.sha256()
    for path, content in sorted(files.items()):
        for part in (path, content):
            data = part.encode("utf-8", "surrogatepass")
            digest.update(len(data).to_bytes(8, "big") + data)
    return digest.hexdigest()


def _analyse(suite: AnalyzerSuite, files: Mapping[str, str]) -> FilesOutcome:
    try:
        return analyse_files(suite, files)
    except Exception as exc:  # e.g. no space for the temporary directory: no signal, not fatal
        return FilesOutcome(error=f"analysis failed: {type(exc).__name__}: {exc}"[:300])


def analyze_sessions(
    host: PluginHost,
    sessions: Sequence[SessionRecord],
    *,
    timeout_s: float = DEFAULT_TIMEOUT_S,
    analyzers: Sequence[str] | None = None,
    workers: int | None = None,
    progress: Callable[[str], None] | None = None,
) -> dict[str, Any]:
    """The ``dim5_artifact_quality`` block for the given sessions.

    ``timeout_s`` limits each tool run of an analyzer (given to analyzers whose Options have a
    ``timeout_s``); ``analyzers`` restricts the analyzers by name (default: all loaded);
    sessions with identical files are analysed once; ``workers`` file sets run in parallel
    (default: up to 4, at most the CPU count). Analyzers must be thread-safe. ``progress``
    gets one line when the analysis starts. Blocking: from async code, run it in a thread."""
    suite = load_suite(host, analyzers, timeout_s)
    unique: dict[str, dict[str, str]] = {}
    for record in sessions:
        unique.setdefault(_key(record.files), record.files)
    count = workers or max(1, min(4, os.cpu_count() or 1))
    if progress is not None:
        used = ", ".join(suite.analyzers) or "none"
        plural = "" if len(unique) == 1 else "s"
        progress(f"artifact quality: {len(unique)} file set{plural}, analyzers: {used}")
    with ThreadPoolExecutor(max_workers=count, thread_name_prefix="pawbench-quality") as pool:
        results = pool.map(lambda files: _analyse(suite, files), unique.values())
        outcomes = dict(zip(unique, results, strict=True))
    analysed = [(record, outcomes[_key(record.files)]) for record in sessions]
    return build_block(suite, analysed, timeout_s)


__all__ = [
    "BLOCK_KEY",
    "DEFAULT_TIMEOUT_S",
    "NO_ANALYSIS_FLAG",
    "NO_SIGNAL_CODE",
    "AnalyzerSuite",
    "FileResult",
    "FilesOutcome",
    "Materialised",
    "Rejected",
    "analyse_files",
    "analyze_sessions",
    "load_suite",
    "materialise",
    "skipped_block",
]
