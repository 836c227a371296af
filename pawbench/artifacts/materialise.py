"""Writing one session's files into a temporary directory, confined like the tool workspace.

Every path goes through ``pawbench.engine.workspace.confine`` (absolute paths, ``..`` escapes,
drive letters and NUL bytes are rejected); files are created with ``O_EXCL | O_NOFOLLOW`` and
their directory is checked to resolve inside the root, so nothing reaches the disk outside it.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from pawbench.engine.workspace import MAX_FILE_BYTES, PathRejected, confine


@dataclass(frozen=True)
class Rejected:
    """A file that was not written, and why."""

    path: str
    reason: str


@dataclass
class Materialised:
    """The files written under ``root`` (normalised path -> content) and the ones rejected."""

    root: Path
    files: dict[str, str] = field(default_factory=dict)
    rejected: list[Rejected] = field(default_factory=list)


class _Refused(Exception):
    """A file that is not written; the message says why."""


def materialise(files: Mapping[str, str], root: Path) -> Materialised:
    """Write ``files`` under ``root`` (an existing, empty directory)."""
    real_root = root.resolve()
    out = Materialised(root)
    for raw, content in sorted(files.items()):
        try:
            path = _accept(raw, content, out.files)
            _write(real_root, path, content)
        except _Refused as exc:
            out.rejected.append(Rejected(_printable(raw), str(exc)))
        except OSError as exc:
            reason = f"could not be written: {exc.strerror or type(exc).__name__}"
            out.rejected.append(Rejected(_printable(raw), reason))
        else:
            out.files[path] = content
    return out


def _accept(raw: str, content: str, written: Mapping[str, str]) -> str:
    """The confined path of a file that may be written."""
    if _printable(raw) != raw:
        raise _Refused("the path is not valid UTF-8 text")
    try:
        path = confine(raw)
    except PathRejected as exc:
        raise _Refused(_printable(str(exc))) from None
    if path in written:
        raise _Refused(f"same file as {path!r} once normalised")
    try:
        size = len(content.encode("utf-8"))
    except UnicodeEncodeError:
        raise _Refused("not valid UTF-8 text") from None
    if size > MAX_FILE_BYTES:
        raise _Refused(f"larger than {MAX_FILE_BYTES} bytes")
    return path


def _printable(text: str) -> str:
    """``text`` with lone surrogates escaped, so that it can go into a JSON result."""
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


def _write(real_root: Path, path: str, content: str) -> None:
    target = real_root.joinpath(*path.split("/"))
    for check in (False, True):  # before creating the directories, and after
        if check:
            target.parent.mkdir(parents=True, exist_ok=True)
        if not target.parent.resolve().is_relative_to(real_root):
            raise _Refused("resolves outside the analysis directory")
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
    fd = os.open(target, flags, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
        handle.write(content)
