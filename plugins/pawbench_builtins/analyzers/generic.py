"""The ``generic`` analyzer: the fallback for the text files no other analyzer handles.

Per file (docs/artifact-quality.md): size, TODO/FIXME/XXX/HACK density, nesting depth, and a
parse check where a light parser exists (JSON: orjson; TOML: tomllib; HTML: html.parser tag
balance; JavaScript, TypeScript, CSS: bracket balance). The score is 0 when the parse check
fails; otherwise the weighted mean of the components that apply:

- markers = 1 / (1 + d / 5), d = markers per 100 non-blank lines (at least 20 lines);
- nesting = 1 up to a comfortable depth, linearly to 0 at a limit (code files only);
- size = 1 up to 500 non-blank lines, linearly to 0 at 2500 (code files only).

Weights: markers 0.4, nesting 0.4, size 0.2.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from pawbench.api import Analyzer, AnalyzerReport, Finding, hookimpl

from ._braces import scan_braces
from ._markup import ParseCheck, check_html, check_json, check_toml
from ._scoring import decay, metric_key, nonblank_lines, per_100_lines, ramp_down, weighted_mean

WEIGHTS = {"markers": 0.4, "nesting": 0.4, "size": 0.2}
MARKERS_HALF = 5.0
SIZE_GOOD, SIZE_ZERO = 500, 2500
MARKER = re.compile(r"\b(TODO|FIXME|XXX|HACK)\b")


def _js(text: str) -> ParseCheck:
    scan = scan_braces(text)
    return ParseCheck(not scan.problems, scan.problems[:20], scan.max_depth)


def _css(text: str) -> ParseCheck:
    scan = scan_braces(text, line_comments=False, regex=False)
    return ParseCheck(not scan.problems, scan.problems[:20], scan.max_depth)


def _scss(text: str) -> ParseCheck:
    """SCSS and Less: CSS with ``//`` comments."""
    scan = scan_braces(text, regex=False)
    return ParseCheck(not scan.problems, scan.problems[:20], scan.max_depth)


def _c_like(text: str) -> ParseCheck:
    """Depth only: the balance of Go, Java or C is reported but does not gate the score."""
    scan = scan_braces(text, regex=False)
    return ParseCheck(True, scan.problems[:20], scan.max_depth)


@dataclass(frozen=True)
class Language:
    """How the generic analyzer treats one language."""

    name: str
    code: bool
    check: Callable[[str], ParseCheck] | None = None
    nest_good: int = 5
    nest_zero: int = 12


_JS = Language("javascript", True, _js)
_TS = Language("typescript", True, _js)
_CPP = Language("cpp", True, _c_like)
_TEXT = Language("text", False)
LANGUAGES: dict[str, Language] = {
    **dict.fromkeys((".js", ".mjs", ".cjs", ".jsx"), _JS),
    **dict.fromkeys((".ts", ".tsx", ".mts", ".cts"), _TS),
    **dict.fromkeys((".html", ".htm"), Language("html", True, check_html, 12, 30)),
    ".css": Language("css", True, _css, 3, 8),
    **dict.fromkeys((".scss", ".less"), Language("css", True, _scss, 4, 10)),
    ".json": Language("json", False, check_json),
    ".toml": Language("toml", False, check_toml),
    ".go": Language("go", True, _c_like),
    ".java": Language("java", True, _c_like),
    **dict.fromkeys((".c", ".h"), Language("c", True, _c_like)),
    **dict.fromkeys((".cpp", ".cc", ".cxx", ".hpp", ".hh"), _CPP),
    ".kt": Language("kotlin", True, _c_like),
    ".swift": Language("swift", True, _c_like),
    ".cs": Language("csharp", True, _c_like),
    ".rs": Language("rust", True),
    ".rb": Language("ruby", True),
    ".php": Language("php", True),
    **dict.fromkeys((".sh", ".bash"), Language("shell", True)),
    ".sql": Language("sql", True),
    **dict.fromkeys((".md", ".markdown"), Language("markdown", False)),
    **dict.fromkeys((".txt", ".rst"), _TEXT),
    **dict.fromkeys((".yaml", ".yml"), Language("yaml", False)),
    **dict.fromkeys((".ini", ".cfg"), Language("ini", False)),
}


def language_of(path: str) -> Language | None:
    """The language of a path by its extension (None: not a file this analyzer handles)."""
    return LANGUAGES.get(posixpath.splitext(path.lower())[1])


class GenericAnalyzer(Analyzer):
    """Other text files: size, TODO/FIXME density, nesting depth, a parse check where light."""

    name = "generic"
    fallback = True  # the core uses it only for files no other analyzer handles

    def handles(self, path: str) -> bool:
        return language_of(path) is not None

    def analyze(self, files: Mapping[str, str], workdir: Path) -> AnalyzerReport:
        paths = sorted(p for p in files if self.handles(p))
        report = AnalyzerReport(analyzer=self.name, files=paths)
        for path in paths:
            language = language_of(path)
            if language is not None:
                metrics, findings = measure_file(path, files[path], language)
                report.metrics.update({metric_key(path, k): v for k, v in metrics.items()})
                report.findings.extend(findings)
        return report


def measure_file(
    path: str, text: str, language: Language
) -> tuple[dict[str, float], list[Finding]]:
    """Metrics (with ``score``) and findings of one file."""
    lines = nonblank_lines(text)
    markers = [
        Finding(path=path, tool="generic", code=m.group(1), message=_line_text(text, m.start()),
                line=text.count("\n", 0, m.start()) + 1)
        for m in MARKER.finditer(text)
    ]  # fmt: skip
    metrics: dict[str, float] = {
        "lines": lines,
        "bytes": len(text.encode()),
        "markers": len(markers),
    }
    components = {"markers": decay(per_100_lines(len(markers), lines), MARKERS_HALF)}
    findings = list(markers)
    check = language.check(text) if language.check is not None else None
    if check is not None:
        metrics["parse_ok"] = 1.0 if check.ok else 0.0
        code = "parse" if not check.ok else "balance"
        findings.extend(
            Finding(path=path, tool="generic", code=code, message=p) for p in check.problems
        )
        if check.depth is not None:
            metrics["max_depth"] = check.depth
            if language.code:
                components["nesting"] = ramp_down(
                    check.depth, language.nest_good, language.nest_zero
                )
    if language.code:
        components["size"] = ramp_down(lines, SIZE_GOOD, SIZE_ZERO)
    metrics.update({f"{k}_score": v for k, v in components.items()})
    score = weighted_mean(components, WEIGHTS)
    metrics["score"] = 0.0 if check is not None and not check.ok else (score or 0.0)
    return metrics, findings


def _line_text(text: str, offset: int) -> str:
    start = text.rfind("\n", 0, offset) + 1
    end = text.find("\n", offset)
    return text[start : len(text) if end < 0 else end].strip()[:200]


@hookimpl
def pawbench_register_analyzers() -> list[type[Analyzer]]:
    return [GenericAnalyzer]
