"""What the competent personas put into tool arguments: file paths, file contents that mention
the terms a task asks for, shell commands, and salient terms of an unknown prompt."""

from __future__ import annotations

import re
from pathlib import PurePosixPath

_EXTENSIONS = {
    "python": ".py",
    "javascript": ".js",
    "typescript": ".ts",
    "go": ".go",
    "rust": ".rs",
    "java": ".java",
    "markdown": ".md",
}
_FILE = re.compile(r"(?<![\w/.-])((?:[\w-]+/)*[\w-]+\.(?:py|js|ts|tsx|jsx|go|rs|java|md|txt|json|"
                   r"ya?ml|toml|sql|sh|html|css|cfg|ini))\b")  # fmt: skip
_TICKED = re.compile(r"`([^`\n]{1,60})`")
_WORD = re.compile(r"[A-Za-z][A-Za-z0-9_]{4,}")
# fmt: off
_STOP = frozenset(
    (
        "about", "above", "after", "again", "against", "because", "before", "being", "below",
        "between", "could", "doing", "during", "each", "every", "further", "having", "itself",
        "might", "other", "ought", "should", "their", "theirs", "there", "these", "those",
        "through", "under", "until", "where", "which", "while", "would", "write", "create",
        "please", "using", "make", "sure", "that", "this", "with", "from", "into", "your", "have",
        "will", "when", "what", "them", "then", "than", "also", "just", "only", "files", "file",
        "code", "function", "add", "implement", "return", "returns", "change", "update", "keep",
        "answer", "reply", "task", "tasks", "need", "needs", "want", "explain", "describe", "show",
        "tell", "give", "build", "across", "always", "never", "something",
    )
)
# fmt: on


def extension(language: str | None) -> str:
    """The file extension for an agent's language (Python when unknown)."""
    return _EXTENSIONS.get((language or "python").lower(), ".py")


def mentioned_files(text: str) -> list[str]:
    """File names written in a prompt, in order."""
    return list(dict.fromkeys(m.group(1) for m in _FILE.finditer(text)))


def salient_terms(text: str, limit: int = 6) -> list[str]:
    """Backticked names, file names, then long non-stopword words of a prompt, in order."""
    terms = [m.group(1).strip() for m in _TICKED.finditer(text)]
    terms += mentioned_files(text)
    prose = _FILE.sub(" ", _TICKED.sub(" ", text))
    terms += [w for w in _WORD.findall(prose) if w.lower() not in _STOP]
    seen: dict[str, str] = {}
    for term in terms:
        seen.setdefault(term.lower(), term)
    return list(seen.values())[:limit]


def glob_to_path(glob: str, stem: str) -> str:
    """A concrete path matching a glob: ``**/`` dropped, ``*`` -> stem, ``?`` -> x."""
    path = glob.replace("**/", "").replace("**", stem)
    path = re.sub(r"\[!?([^\]])[^\]]*\]", r"\1", path)
    return path.replace("*", stem).replace("?", "x").lstrip("/") or f"{stem}.txt"


def default_paths(language: str | None) -> list[str]:
    """Where a competent agent puts its code and tests when the task names no file."""
    ext = extension(language)
    if ext in (".js", ".ts"):
        return [f"app{ext}", f"app.test{ext}"]
    if ext == ".go":
        return ["app.go", "app_test.go"]
    return [f"app{ext}", f"test_app{ext}"]


def identifier(term: str, used: set[str]) -> str:
    """A snake_case identifier for a term, unique within ``used``."""
    base = re.sub(r"\W+", "_", term.lower()).strip("_") or "item"
    if base[0].isdigit():
        base = "n_" + base
    name, n = base, 2
    while name in used:
        name, n = f"{base}_{n}", n + 1
    used.add(name)
    return name


def _python_module(title: str, terms: list[str]) -> str:
    used: set[str] = {"handle"}
    lines = [
        f'"""{_doc(title)}.',
        "",
        f"Covers: {_doc(', '.join(terms))}.",
        '"""',
        "",
        "from __future__ import annotations",
        "",
        f"TERMS: tuple[str, ...] = ({''.join(repr(t) + ', ' for t in terms)})",
        "",
        "",
        "def handle(term: str) -> dict[str, object]:",
        '    """Handle one supported term; unknown terms are rejected."""',
        "    if term not in TERMS:",
        '        raise ValueError(f"unsupported: {term}")',
        '    return {"term": term, "ok": True}',
    ]
    for term in terms:
        name = identifier(term, used)
        lines += ["", "", f"def handle_{name}() -> dict[str, object]:"]
        lines += [f'    """Handle {_doc(term)}."""', f"    return handle({term!r})"]
    return "\n".join(lines) + "\n"


def _python_test(target: str | None, terms: list[str]) -> str:
    used: set[str] = set()
    lines = ['"""Tests of the supported terms."""', "", "from __future__ import annotations", ""]
    if target is not None:
        lines += [f"from {target} import TERMS, handle", ""]
    else:
        lines += [f"TERMS: tuple[str, ...] = ({''.join(repr(t) + ', ' for t in terms)})", ""]
        lines += ["", "def handle(term: str) -> dict[str, object]:"]
        lines += [
            '    """The behaviour under test."""',
            '    return {"term": term, "ok": True}',
            "",
        ]
    for term in terms:
        name = identifier(term, used)
        lines += ["", f"def test_{name}() -> None:", f"    assert {term!r} in TERMS"]
        lines += [f'    assert handle({term!r})["ok"] is True']
    return "\n".join(lines) + "\n"


def _doc(text: str) -> str:
    return text.replace('"""', "'''").replace("\\", "/").replace("\n", " ")


def file_content(path: str, title: str, terms: list[str], modules: set[str]) -> str:
    """The content of a file the competent persona writes. ``modules`` are Python module
    names known to exist (a test file imports its target only if it is one of them)."""
    p = PurePosixPath(path)
    terms = terms or ["main"]
    if p.suffix == ".py":
        if p.stem.startswith("test_") or p.stem.endswith("_test"):
            target = p.stem.removeprefix("test_").removesuffix("_test")
            return _python_test(target if target in modules else None, terms)
        return _python_module(title, terms)
    if p.suffix in (".js", ".ts", ".jsx", ".tsx"):
        items = ", ".join(_js_string(t) for t in terms)
        return (
            f"// {_doc(title)}\nexport const TERMS = [{items}];\n\n"
            "export function handle(term) {\n"
            "  if (!TERMS.includes(term)) throw new Error(`unsupported: ${term}`);\n"
            "  return { term, ok: true };\n}\n"
        )
    if p.suffix in (".md", ".txt", ""):
        return f"# {_doc(title)}\n\n" + "".join(f"- {t}\n" for t in terms)
    marker = "//" if p.suffix in (".go", ".rs", ".java", ".css") else "#"
    return "".join(f"{marker} {line}\n" for line in [_doc(title), *terms])


def _js_string(term: str) -> str:
    return '"' + term.replace("\\", "\\\\").replace('"', '\\"') + '"'


def title_of(prompt: str) -> str:
    """A one-line title from the first sentence of a prompt."""
    first = re.split(r"(?<=[.!?])\s|\n", prompt.strip(), maxsplit=1)[0]
    if len(first) > 90:
        first = first[:90].rsplit(" ", 1)[0]
    return first.rstrip(".:;, ") or "Implementation"
