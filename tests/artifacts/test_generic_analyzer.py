"""The ``generic`` fallback analyzer: parse checks, markers, nesting, size, and its score."""

from __future__ import annotations

from pathlib import Path

import pytest
from pawbench_builtins.analyzers._braces import scan_braces
from pawbench_builtins.analyzers._markup import check_html, check_json, check_toml
from pawbench_builtins.analyzers.generic import LANGUAGES, GenericAnalyzer

from pawbench.api import AnalyzerReport, NoOptions
from pawbench.artifacts.languages import language_of as core_language


def analyze(files: dict[str, str], root: Path) -> AnalyzerReport:
    return GenericAnalyzer(NoOptions()).analyze(files, root)


def metrics_of(report: AnalyzerReport, path: str) -> dict[str, float]:
    prefix = f"file:{path}:"
    return {k.removeprefix(prefix): v for k, v in report.metrics.items() if k.startswith(prefix)}


@pytest.mark.parametrize(
    "text",
    [
        "function f(a) { return /[}]/.test(a) ? `x${a + `${1}`}` : 'it\\'s'; } // }\n",
        'const A = () => (<div className="x">Don\'t {y}</div>);\n',
        "let x = a / b / c; if (x) { y = (1 / 2); }\n",
        "/* { */ const s = \"}\"; const t = '{'; f('(');\n",
        "const s = `a ${ {x: 1}.x } b`;\nfunction g() {}\n",
        "if (ok) return /\\/(/.exec(s);\n",
    ],
)
def test_balanced_javascript(text: str) -> None:
    assert scan_braces(text).problems == []


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("function f() { if (x) { return 1; }\n", "'{' opened on line 1 is never closed"),
        ("f(a];", "']' on line 1 does not match '(' of line 1"),
        ("x = 1;\n}\n", "'}' on line 2 closes nothing"),
        ("/* open\n", "comment opened on line 1 is never closed"),
        ("const s = `abc\n", "template literal opened on line 1 is never closed"),
    ],
)
def test_unbalanced_javascript(text: str, problem: str) -> None:
    assert problem in scan_braces(text).problems


def test_brace_depth() -> None:
    assert scan_braces("a { b { c { } } } d { }").max_depth == 3
    assert scan_braces("f(((x)))").max_depth == 0  # only braces count as nesting


def test_html_balance_knows_void_and_optional_end_tags() -> None:
    page = (
        "<!doctype html><html><head><meta charset=utf-8><title>t</title></head><body>"
        "<ul><li>a<li>b</ul><p>x<p>y<br><img src=x><div>d</div>"
        "<script>if (a < b) { document.write('</span>') }</script></body></html>"
    )
    check = check_html(page)
    assert check.ok and check.problems == []
    assert check.depth == 4  # html > body > ul > li
    bad = check_html("<div><span>x</div></section>")
    assert not bad.ok
    assert bad.problems == [
        "<span> of line 1 is not closed before </div>",
        "</section> on line 1 closes no open element",
    ]


def test_json_and_toml_parse_checks() -> None:
    assert check_json('{"a": [1, {"b": []}]}').depth == 3
    assert not check_json("{").ok
    assert check_toml('[tool]\nname = "x"\n').ok
    assert not check_toml("[tool\n").ok


def test_scores_follow_the_formula(tmp_path: Path) -> None:
    todo_lines = "\n".join(["// TODO: one", "// FIXME: two", "// XXX three"] + ["x();"] * 37)
    files = {
        "ok.js": "export function f(a) {\n  return a + 1;\n}\n",
        "todo.js": todo_lines + "\n",
        "broken.ts": "function f(): void {\n",
        "deep.js": "{" * 9 + "}" * 9 + "\n",
        "notes.md": "# Notes\nTODO write more\n",
        "data.json": "[1, 2]",
        "bad.json": "[1, 2",
    }
    report = analyze(files, tmp_path)
    assert report.files == sorted(files)
    assert metrics_of(report, "ok.js")["score"] == 1.0
    todo = metrics_of(report, "todo.js")
    assert todo["markers"] == 3 and todo["lines"] == 40
    markers = 1 / (1 + (100 * 3 / 40) / 5)
    assert todo["markers_score"] == pytest.approx(markers)
    assert todo["score"] == pytest.approx((0.4 * markers + 0.4 + 0.2) / 1.0)
    assert metrics_of(report, "broken.ts")["parse_ok"] == 0
    assert metrics_of(report, "broken.ts")["score"] == 0
    deep = metrics_of(report, "deep.js")
    assert deep["max_depth"] == 9
    assert deep["nesting_score"] == pytest.approx(1 - (9 - 5) / 7)
    notes = metrics_of(report, "notes.md")  # prose: markers only (1 in 20 lines minimum)
    assert notes["score"] == pytest.approx(1 / (1 + 5 / 5))
    assert "nesting_score" not in notes and "size_score" not in notes
    assert metrics_of(report, "data.json")["score"] == 1.0
    assert metrics_of(report, "bad.json")["score"] == 0.0
    marker_codes = sorted(f.code for f in report.findings if f.path == "todo.js")
    assert marker_codes == ["FIXME", "TODO", "XXX"]


def test_is_a_fallback_and_skips_unknown_file_types() -> None:
    analyzer = GenericAnalyzer(NoOptions())
    assert GenericAnalyzer.fallback is True
    assert analyzer.handles("site/index.HTML") and analyzer.handles("a/b.tsx")
    assert not analyzer.handles("main.py") and not analyzer.handles("image.png")
    assert not analyzer.handles("Makefile")


def test_language_labels_agree_with_the_core() -> None:
    assert {ext: core_language("x" + ext) for ext in LANGUAGES} == {
        ext: lang.name for ext, lang in LANGUAGES.items()
    }
