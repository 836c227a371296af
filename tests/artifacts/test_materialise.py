"""Materialising a session's files: confined like the tool workspace, nothing lands outside."""

from __future__ import annotations

import os
from pathlib import Path

import orjson

from pawbench.artifacts import analyze_sessions, materialise
from tests.artifacts.support import analyzer_host, session


def _all_files(top: Path) -> set[str]:
    return {p.relative_to(top).as_posix() for p in top.rglob("*") if not p.is_dir()}


def test_traversal_and_absolute_paths_never_reach_the_disk(tmp_path: Path) -> None:
    root = tmp_path / "box" / "files"
    root.mkdir(parents=True)
    outside = tmp_path / "abs_target.py"
    files = {
        "../escape.py": "x = 1\n",
        "a/../../escape2.py": "x = 2\n",
        "..\\windows.py": "x = 3\n",
        str(outside): "x = 4\n",
        "/etc/pawbench_should_not_exist.py": "x = 5\n",
        "C:\\drive.py": "x = 6\n",
        "~/home.py": "x = 7\n",
        "nul\x00.py": "x = 8\n",
        "ok/inner.py": "x = 9\n",
        "./ok/../fine.py": "x = 10\n",
    }
    placed = materialise(files, root)
    assert placed.files == {"ok/inner.py": "x = 9\n", "fine.py": "x = 10\n"}
    assert sorted(r.path for r in placed.rejected) == sorted(
        set(files) - {"ok/inner.py", "./ok/../fine.py"}
    )
    assert _all_files(tmp_path) == {"box/files/ok/inner.py", "box/files/fine.py"}
    assert not outside.exists()
    assert not Path("/etc/pawbench_should_not_exist.py").exists()


def test_links_planted_in_the_root_are_never_followed(tmp_path: Path) -> None:
    root = tmp_path / "files"
    root.mkdir()
    target_dir = tmp_path / "elsewhere"
    target_dir.mkdir()
    victim = tmp_path / "victim.py"
    victim.write_text("original\n")
    os.symlink(target_dir, root / "linkdir")
    os.symlink(victim, root / "linkfile.py")
    placed = materialise({"linkdir/x.py": "bad\n", "linkfile.py": "bad\n"}, root)
    assert placed.files == {}
    reasons = {r.path: r.reason for r in placed.rejected}
    assert reasons["linkdir/x.py"] == "resolves outside the analysis directory"
    assert reasons["linkfile.py"].startswith("could not be written")
    assert list(target_dir.iterdir()) == []
    assert victim.read_text() == "original\n"


def test_conflicting_duplicate_and_oversized_files_are_rejected(tmp_path: Path) -> None:
    placed = materialise(
        {
            "a": "file\n",
            "a/b.py": "under a file\n",
            "c.py": "one\n",
            "./c.py": "same once normalised\n",
            "big.txt": "x" * 1_000_001,
            "bad.txt": "\udcff",
            "bad\ud800.txt": "fine",
        },
        tmp_path,
    )
    # the first path in sorted order wins: "./c.py" sorts before "c.py"
    assert placed.files == {"a": "file\n", "c.py": "same once normalised\n"}
    reasons = {r.path: r.reason for r in placed.rejected}
    assert reasons["a/b.py"].startswith("could not be written")
    assert reasons["c.py"] == "same file as 'c.py' once normalised"
    assert reasons["big.txt"] == "larger than 1000000 bytes"
    assert reasons["bad.txt"] == "not valid UTF-8 text"
    assert reasons["bad\\ud800.txt"] == "the path is not valid UTF-8 text"


def test_rejected_paths_are_reported_in_the_block() -> None:
    files = {"../up.json": "{}", "ok.json": "{}", "odd\udcff.json": "{}", "x.json": "\ud800"}
    block = analyze_sessions(analyzer_host(), [session(files)], workers=1)
    orjson.dumps(block)  # nothing in it that a JSON result cannot hold
    (row,) = block["sessions"]
    assert row["rejected"] == [
        {"path": "../up.json", "reason": "path '../up.json' escapes the workspace"},
        {"path": "odd\\udcff.json", "reason": "the path is not valid UTF-8 text"},
        {"path": "x.json", "reason": "not valid UTF-8 text"},
    ]
    assert [f["path"] for f in row["files"]] == ["ok.json"]
    assert block["aggregate"]["files_rejected"] == 3
