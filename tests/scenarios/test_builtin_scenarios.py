"""The nine built-in scenarios: they load, and they are consistent and scorable."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from pawbench.cli.app import run_cli
from pawbench.models.scenario import TIERS
from pawbench.scenarios import ScenarioCatalog, builtin_scenarios_dir

from .support import BUILTIN_IDS, Reply, catalog, scenarios, score_reply, turn_id, turns

STATUS_BLOCK = (
    "STATUS: done\nFILES_CREATED: a.py, b.py\nFILES_MODIFIED: none\nTESTS: pass\nBUILD: ok\n"
    "LEARNED: <one line>"
)
# Words any reply may contain whatever it does: keywords like these could never tell a reply
# that followed a steering event from one that ignored it.
GENERIC_WORDS = {
    "ok", "done", "yes", "update", "updated", "change", "changed", "changes", "implement",
    "implemented", "steering", "nudge", "status", "file", "files", "code", "test", "tests",
    "fix", "fixed", "add", "added", "new", "instead", "now", "api",
}  # fmt: skip
LANGUAGE_WORDS = {"python": "Python", "typescript": "TypeScript"}


def test_the_catalog_holds_exactly_the_nine_builtins() -> None:
    cat = catalog()
    assert cat.skipped == []
    assert set(cat.ids()) == BUILTIN_IDS
    assert {p.stem for p in builtin_scenarios_dir().glob("*.json")} == BUILTIN_IDS
    for scenario_id, entry in cat.entries.items():
        assert entry.path.stem == scenario_id  # file name and id agree


def test_a_non_scenario_json_in_the_folder_is_skipped(tmp_path: Path) -> None:
    folder = tmp_path / "scenarios"
    shutil.copytree(builtin_scenarios_dir(), folder)
    (folder / "package.json").write_text('{"name": "not-a-scenario", "version": "1.0.0"}')
    (folder / "broken.json").write_text("{ not json")
    (folder / "list.json").write_text("[1, 2, 3]")
    cat = ScenarioCatalog(directory=folder)
    assert set(cat.ids()) == BUILTIN_IDS
    assert sorted(p.name for p, _ in cat.skipped) == ["broken.json", "list.json", "package.json"]


def test_every_system_prompt_asks_for_the_status_block() -> None:
    for scenario in scenarios():
        prompt = scenario.system_prompt or ""
        assert STATUS_BLOCK in prompt, scenario.id
        for agent in scenario.agents:  # an agent prompt could replace the scenario's
            assert agent.system_prompt is None, f"{scenario.id}/{agent.id}"


def test_every_event_has_its_own_specific_keywords() -> None:
    seen: dict[tuple[str, ...], str] = {}
    events = 0
    for scenario, agent, turn in turns():
        if turn.event is None:
            continue
        events += 1
        where = turn_id(scenario, agent, turn)
        keywords = tuple(k.lower() for k in turn.event.keywords)
        assert keywords and all(k.strip() for k in keywords), where
        assert not set(keywords) & GENERIC_WORDS, where
        assert keywords not in seen, f"{where} reuses the keywords of {seen.get(keywords)}"
        seen[keywords] = where
        assert turn.event.description, where
    assert events == 6  # pawstyle 1, pawstyle-nudge 2, api-auth 1, data-pipeline 1, refactor 1


def test_echoing_the_prompt_does_not_meet_the_expectations() -> None:
    """A reply that repeats the prompt finds less than half of the turn's expected terms, even
    when it also writes the prompt into a file, and less than half of the event keywords when
    it says it or writes it into a file (judged by the built-in scorers)."""
    checked = 0
    for scenario, agent, turn in turns():
        said = Reply(text=turn.content)
        written = Reply(
            turn.content, [("write_file", {"path": "echo.txt", "content": turn.content})]
        )
        where = turn_id(scenario, agent, turn)
        if turn.expect.output_mentions:
            checked += 1
            for echo in (said, written):
                assert score_reply(scenario, agent, turn, echo)["expect.output_mentions"] < 0.5, (
                    where
                )
        if turn.event is not None:
            for echo in (said, written):
                found = score_reply(scenario, agent, turn, echo)
                assert found[f"{turn.event.kind}.keywords_found"] < 0.5, where
                assert found[f"{turn.event.kind}.followed"] == 0.0, where
    assert checked == sum(1 for _ in turns())  # every turn has output_mentions


def test_expected_tools_are_offered_and_defined() -> None:
    for scenario, agent, turn in turns():
        where = turn_id(scenario, agent, turn)
        offered = set(turn.tools)
        assert offered <= {t.function.name for t in scenario.tools_schema}, where
        assert set(turn.expect.tool_name_any) <= offered, where
        called = {str(c.value) for c in turn.expect.constraints if c.kind == "call_tool"}
        assert called <= offered, where
        if any(c.kind == "write_file" for c in turn.expect.constraints):
            assert "write_file" in offered, where


def test_tool_schemas_are_precise() -> None:
    for scenario in scenarios():
        for tool in scenario.tools_schema:
            params = tool.function.parameters
            assert params["type"] == "object", scenario.id
            assert params["additionalProperties"] is False, scenario.id
            assert params["required"] == list(params["properties"]), scenario.id
            assert all(p["type"] == "string" for p in params["properties"].values())


def test_progress_placeholders_sit_in_nudges_from_another_agent() -> None:
    placeholders = 0
    for scenario, agent, turn in turns():
        if "{progress}" not in turn.content:
            continue
        placeholders += 1
        where = turn_id(scenario, agent, turn)
        assert turn.event is not None and turn.event.kind == "nudge", where
        assert turn.event.from_agent not in (None, agent.id), where
    assert placeholders == 2


def test_agents_are_named_after_the_language_they_write() -> None:
    for scenario in scenarios():
        for agent in scenario.agents:
            assert agent.language in LANGUAGE_WORDS, f"{scenario.id}/{agent.id}"
            assert LANGUAGE_WORDS[agent.language] in agent.name, f"{scenario.id}/{agent.id}"


def test_every_turn_has_a_tier_and_mixed_scenarios_tag_turns_or_agents() -> None:
    for scenario, agent, turn in turns():
        assert scenario.turn_tier(agent, turn) in TIERS, turn_id(scenario, agent, turn)
    for scenario in scenarios():
        tiers = {scenario.turn_tier(a, t) for a in scenario.agents for t in a.turns}
        if len(tiers) > 1:
            assert scenario.tier is None, scenario.id  # the tags below the scenario decide


def test_the_orchestration_matrix_has_one_block_per_tier_with_real_dependencies() -> None:
    matrix = catalog().entries["pawstyle-orchestration-matrix"].scenario
    blocks = {b.id: b for b in matrix.blocks}
    assert sorted(b.tier or "" for b in blocks.values()) == sorted(TIERS)
    assert blocks["catalog"].depends_on == []
    assert blocks["favorites"].depends_on == ["catalog"]
    assert blocks["checkout"].depends_on == ["catalog"]
    assert set(blocks["platform"].depends_on) == {"catalog", "favorites", "checkout"}
    for block in blocks.values():  # each block's agents work at the block's tier
        for agent_id in block.agents:
            agent = matrix.agent(agent_id)
            assert {matrix.turn_tier(agent, t) for t in agent.turns} == {block.tier}
    # What a dependent block uses is named in its prompt and readable in its workspace.
    for agent_id in ("favorites", "checkout"):
        agent = matrix.agent(agent_id)
        assert "backend/app/catalog.py" in agent.turns[0].content
        assert "get_product" in agent.fixtures.files["backend/app/catalog.py"]


def test_the_pawstyle_family_shares_agents_for_the_nudge_delta() -> None:
    cat = catalog()
    family = [
        cat.entries[i].scenario for i in ("pawstyle-independent", "pawstyle", "pawstyle-nudge")
    ]
    for scenario in family:
        assert [(a.id, a.name, a.language) for a in scenario.agents] == [
            ("frontend", "TypeScript frontend (React)", "typescript"),
            ("backend", "Python backend (FastAPI)", "python"),
        ]
        assert "PawStyle by Lola — where every pup is a fashionista" in (
            scenario.agents[0].turns[0].content
        )
    # Same first turns: the scenarios differ only where the event or nudge starts.
    first = {(s.agents[0].turns[0].content, s.agents[1].turns[0].content) for s in family}
    assert len(first) == 1


def test_turns_fit_a_fast_default_run() -> None:
    for scenario in scenarios():
        assert 1 <= len(scenario.agents) <= 4, scenario.id
        for agent in scenario.agents:
            assert 2 <= len(agent.turns) <= 3, f"{scenario.id}/{agent.id}"
            assert all(len(t.content) < 2500 for t in agent.turns), f"{scenario.id}/{agent.id}"


@pytest.mark.parametrize("scenario_id", sorted(BUILTIN_IDS))
def test_show_prints_a_summary(scenario_id: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert run_cli(["scenarios", "show", scenario_id]) == 0
    out = capsys.readouterr().out
    assert scenario_id in out
    scenario = catalog().entries[scenario_id].scenario
    turns_total = sum(len(a.turns) for a in scenario.agents)
    assert re.search(rf"{len(scenario.agents)} agent\(s\) × {turns_total} turn\(s\)", out)
