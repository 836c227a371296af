"""Context tiers: manifest-only moves embedded code out of the prompts into readable files."""

from __future__ import annotations

from pathlib import Path

import pytest

from pawbench.context_tiers import apply_context_tier, reads
from pawbench.errors import UsageError
from pawbench.models.scenario import Scenario
from tests.orchestration.conftest import run_under

CODE = "def total(items):\n    return sum(i.price for i in items)\n"
TOOLS = [
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
    tiered = apply_context_tier(_scenario(), "manifest-only")
    _, sink = run_under("flat", tiered, tmp_path)
    measured = reads(sink.turns)
    calls = [c for t in sink.turns for c in t.tool_calls if c.name == "read_file"]
    assert measured["read_file_calls"] == len(calls)
    assert measured["chars_read"] == sum(
        len(r.output) for t in sink.turns for r in t.tool_results if r.name == "read_file" and r.ok
    )
