"""Context tiers: manifest-only moves embedded code out of the prompts into readable files."""

from __future__ import annotations

from pathlib import Path

import pytest

from pawbench.context_tiers import apply_context_tier, reads
from pawbench.errors import UsageError
from pawbench.models.scenario import Scenario
from tests.orchestration.conftest import run_under

CODE = "def total(items):\n    return sum(i.price for i in items)\n"
TOOLS: list[dict[str, object]] = [
    {"type": "function", "function": {"name": n, "parameters": {"type": "object"}}}
    for n in ("write_file", "read_file")
]


def _scenario(tools: list[dict[str, object]] = TOOLS) -> Scenario:
    return Scenario.model_validate(
        {
            "id": "tiers",
            "name": "tiers",
            "tools_schema": tools,
            "fixtures": {"files": {"shop/models.py": "class Item:\n    price: int\n"}},
            "agents": [
                {
                    "id": "dev",
                    "name": "Python dev",
                    "turns": [
                        {
                            "content": f"Fix this:\n```python\n{CODE}```\nIt ignores discounts.",
                            "tools": ["write_file"],
                        },
                        {"content": "Now add tests.", "tools": ["write_file"]},
                    ],
                }
            ],
        }
    )


def test_standard_leaves_the_scenario_alone() -> None:
    scenario = _scenario()
    assert apply_context_tier(scenario, "standard") is scenario


def test_manifest_only_moves_code_and_lists_files() -> None:
    tiered = apply_context_tier(_scenario(), "manifest-only")
    agent = tiered.agents[0]
    first = agent.turns[0].content
    assert "def total" not in first and "```" not in first
    assert "(code moved to context/dev/turn1_1.py; read it with read_file)" in first
    assert agent.fixtures.files["context/dev/turn1_1.py"] == CODE
    assert "- context/dev/turn1_1.py (2 lines" in first and "symbols: total" in first
    assert "- shop/models.py (2 lines" in first and "symbols: Item" in first
    assert all("read_file" in t.tools for t in agent.turns)
    assert agent.turns[1].content == "Now add tests."


def test_manifest_only_needs_read_file_and_a_known_tier() -> None:
    with pytest.raises(UsageError, match="needs a read_file tool"):
        apply_context_tier(_scenario(TOOLS[:1]), "manifest-only")
    with pytest.raises(UsageError, match="unknown context tier 'tiny'"):
        apply_context_tier(_scenario(), "tiny")


def test_reads_are_measured_on_a_real_run(tmp_path: Path) -> None:
    """The first turn offers no tool of its own: under manifest-only it offers read_file, and
    the simulator's model fetches the moved code; the reads block counts exactly that."""
    doc = _scenario().model_dump(mode="json", by_alias=True, exclude_none=True)
    doc["agents"][0]["turns"][0]["tools"] = []
    doc["tools_schema"][1]["function"]["parameters"] = {
        "type": "object",
        "properties": {"path": {"type": "string"}},
        "required": ["path"],
    }
    tiered = apply_context_tier(Scenario.model_validate(doc), "manifest-only")
    _, sink = run_under("flat", tiered, tmp_path)
    first = sink.turns[0]
    assert [(c.name, c.arguments) for c in first.tool_calls] == [
        ("read_file", '{"path":"context/dev/turn1_1.py"}')
    ]
    assert first.tool_results[0].output == CODE
    assert reads(sink.turns) == {"read_file_calls": 1, "reads_ok": 1, "chars_read": len(CODE)}
