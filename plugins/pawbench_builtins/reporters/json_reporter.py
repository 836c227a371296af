"""The ``json`` reporter: the result document as indented JSON."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TextIO

import orjson

from pawbench.api import Reporter, hookimpl


class JsonReporter(Reporter):
    """Writes the result document as indented JSON."""

    name = "json"

    def render(self, result: Mapping[str, Any], out: TextIO) -> None:
        out.write(orjson.dumps(result, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS).decode())
        out.write("\n")


@hookimpl
def pawbench_register_reporters() -> list[type[Reporter]]:
    return [JsonReporter]
