"""Throwaway plugin distributions for the plugin-host tests.

A distribution here is what ``pip install`` leaves behind, minus pip: a module and a
``<name>-<version>.dist-info`` folder with ``METADATA`` and ``entry_points.txt`` in one
directory. Put that directory on PYTHONPATH (of a subprocess) and importlib.metadata finds the
plugin exactly as it finds an installed one.
"""

from __future__ import annotations

import sys
import textwrap
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

import pytest


@dataclass(frozen=True)
class FakeDist:
    """A distribution written by ``make_dist``."""

    root: Path
    name: str
    version: str
    info: Path

    def entry_points(self) -> list[metadata.EntryPoint]:
        """Its ``pawbench`` entry points, bound to the distribution as pip would bind them."""
        eps = metadata.PathDistribution(self.info).entry_points
        return [ep for ep in eps if ep.group == "pawbench"]


MakeDist = Callable[..., FakeDist]


@pytest.fixture
def make_dist(tmp_path: Path) -> MakeDist:
    """``make_dist(dist, version, {module: source}, {entry point: module})`` in tmp_path/site."""

    def make(
        dist: str, version: str, modules: dict[str, str], entry_points: dict[str, str]
    ) -> FakeDist:
        root = tmp_path / "site"
        root.mkdir(exist_ok=True)
        for module, source in modules.items():
            (root / f"{module}.py").write_text(textwrap.dedent(source))
        info = root / f"{dist.replace('-', '_')}-{version}.dist-info"
        info.mkdir()
        (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {dist}\nVersion: {version}\n")
        lines = [f"{name} = {target}" for name, target in entry_points.items()]
        (info / "entry_points.txt").write_text("[pawbench]\n" + "\n".join(lines) + "\n")
        return FakeDist(root, dist, version, info)

    return make


@pytest.fixture
def forget_modules() -> Iterator[Callable[[str], None]]:
    """Modules a test imports in-process from a tmp dir are dropped from sys.modules after it."""
    names: list[str] = []
    yield names.append
    for name in names:
        sys.modules.pop(name, None)
