"""Helpers shared by the command modules: the per-process plugin host and output consoles."""

from __future__ import annotations

import sys

import orjson
import typer
from rich.console import Console

from pawbench.plugins import PluginHost


def host(ctx: typer.Context) -> PluginHost:
    """The PluginHost built once for this process by ``main`` (or on first use)."""
    root = ctx.find_root()
    if not isinstance(root.obj, PluginHost):
        root.obj = PluginHost.from_environment()
    return root.obj


def stdout() -> Console:
    """A console for results on stdout."""
    return Console(highlight=False, soft_wrap=True)


def stderr() -> Console:
    """A console for warnings and progress on stderr."""
    return Console(stderr=True, highlight=False, soft_wrap=True)


def print_json(data: object) -> None:
    """Write ``data`` as indented JSON to stdout and nothing else."""
    sys.stdout.write(orjson.dumps(data, option=orjson.OPT_INDENT_2).decode() + "\n")
