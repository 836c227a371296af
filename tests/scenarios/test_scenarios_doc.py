"""docs/scenarios.md: its complete example is a valid scenario, and it names what it must."""

from __future__ import annotations

import re
from pathlib import Path

from pawbench.models.scenario import TIERS
from pawbench.scenarios import parse_scenario

from .support import BUILTIN_IDS

DOC = Path(__file__).resolve().parents[2] / "docs" / "scenarios.md"


def _example() -> str:
    text = DOC.read_text(encoding="utf-8")
    found = re.search(r"<!-- scenario-example -->\s*```json\n(.*?)\n```", text, re.DOTALL)
    assert found, "the example block is missing from docs/scenarios.md"
    return found.group(1)


def test_the_documented_example_is_a_valid_scenario() -> None:
    scenario = parse_scenario(_example().encode(), "docs/scenarios.md example")
    assert scenario.id == "lola-greeting"
    agent = scenario.agents[0]
    assert [t.turn for t in agent.turns] == [1, 2]
    steering = agent.turns[1].event
    assert steering is not None and steering.kind == "steering" and steering.keywords
    assert "STATUS: done\nFILES_CREATED: a.py, b.py" in (scenario.system_prompt or "")
    commands = [c.match for c in scenario.fixtures.commands]
    assert commands[-1] == "ls"  # as the page advises


def test_the_doc_names_every_builtin_tier_and_how_to_run() -> None:
    text = DOC.read_text(encoding="utf-8")
    for scenario_id in BUILTIN_IDS:
        assert f"`{scenario_id}`" in text
    for tier in TIERS:
        assert f"`{tier}`" in text
    assert "pawbench run --scenario my.json" in text
    assert "1.1.4" in text
    assert "fixture_gap" in text
