"""The language of a written file, by its extension, as the result block labels it."""

from __future__ import annotations

import posixpath

# fmt: off
_BY_EXTENSION = {
    ".py": "python", ".pyi": "python",
    ".js": "javascript", ".mjs": "javascript", ".cjs": "javascript", ".jsx": "javascript",
    ".ts": "typescript", ".tsx": "typescript", ".mts": "typescript", ".cts": "typescript",
    ".html": "html", ".htm": "html", ".css": "css", ".json": "json", ".toml": "toml",
    ".yaml": "yaml", ".yml": "yaml", ".md": "markdown", ".markdown": "markdown",
    ".txt": "text", ".rst": "text", ".ini": "ini", ".cfg": "ini", ".go": "go", ".java": "java",
    ".c": "c", ".h": "c", ".cpp": "cpp", ".cc": "cpp", ".cxx": "cpp", ".hpp": "cpp",
    ".hh": "cpp", ".rs": "rust", ".sh": "shell", ".bash": "shell", ".sql": "sql",
    ".scss": "css", ".less": "css", ".kt": "kotlin", ".swift": "swift", ".cs": "csharp",
    ".rb": "ruby", ".php": "php",
}
# fmt: on


def language_of(path: str) -> str:
    """``python``, ``javascript``, ``html``… or ``other``."""
    return _BY_EXTENSION.get(posixpath.splitext(path.lower())[1], "other")


def nonblank_lines(text: str) -> int:
    """Lines with something other than whitespace: a file's weight in the means."""
    return sum(1 for line in text.splitlines() if line.strip())
