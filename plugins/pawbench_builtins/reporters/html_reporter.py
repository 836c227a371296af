"""The ``html`` reporter: one self-contained HTML file with charts (matplotlib, inline SVG)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TextIO

from pawbench.api import Reporter, hookimpl


class HtmlReporter(Reporter):
    """A self-contained HTML report (offline, no script) with charts; compare mode for several."""

    name = "html"

    def render(self, result: Mapping[str, Any], out: TextIO) -> None:
        # imported here: matplotlib is loaded only when an HTML report is asked for
        if isinstance(result.get("results"), list):
            from pawbench_builtins.reporters.html_compare import compare_report

            out.write(compare_report(result))
        else:
            from pawbench_builtins.reporters.html_page import single_report

            out.write(single_report(result))


@hookimpl
def pawbench_register_reporters() -> list[type[Reporter]]:
    return [HtmlReporter]
