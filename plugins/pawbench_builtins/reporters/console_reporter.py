"""The ``console`` reporter: the result as rich tables and panels on a terminal."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TextIO

from rich.console import Console

from pawbench.api import Reporter, hookimpl
from pawbench_builtins.reporters import console_sections as sections


class ConsoleReporter(Reporter):
    """Scenario table, the four dimension panels, saturation bars, server metrics, warnings."""

    name = "console"

    def render(self, result: Mapping[str, Any], out: TextIO) -> None:
        console = Console(file=out, highlight=False)
        if isinstance(result.get("results"), list):  # several results: one report each
            for doc in result["results"]:
                if isinstance(doc, Mapping):
                    self.render(doc, out)
                    console.rule()
            return
        for part in sections.all_sections(result):
            console.print(part)


@hookimpl
def pawbench_register_reporters() -> list[type[Reporter]]:
    return [ConsoleReporter]
