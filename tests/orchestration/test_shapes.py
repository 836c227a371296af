"""Each shape differs in who sees what, and when — checked on the records of real runs against
the simulator, not on timing alone."""

from __future__ import annotations

from pathlib import Path

import pytest

from pawbench.engine.orchestration import ORCHESTRATION_LEVEL, orchestration_block
from pawbench.engine.sink import RecordSink
from pawbench.errors import PluginError
from pawbench.models.records import TurnRecord
from pawbench.plugins import PluginHost
from pawbench.scenarios import ScenarioCatalog
from tests.orchestration.conftest import run_under

MATRIX = ScenarioCatalog().resolve("pawstyle-orchestration-matrix")
BLOCK_AGENTS = {"catalog", "favorites", "checkout", "platform"}


def _turns(sink: RecordSink, role: str) -> list[TurnRecord]:
    ids = {s.session_id for s in sink.sessions if s.role == role}
    return [t for t in sink.turns if t.session_id in ids]


def _first_message(sink: RecordSink, agent_id: str) -> str:
    return next(t.user_message for t in sink.turns if t.agent_id == agent_id)


def test_flat_is_one_conversation_whose_context_grows(tmp_path: Path) -> None:
    _, sink = run_under("flat", MATRIX, tmp_path)
    assert len(sink.sessions) == 1 and sink.sessions[0].role == "flat"
    assert {s.level for s in sink.sessions} == {ORCHESTRATION_LEVEL}
    prompts = [r.prompt_tokens or 0 for r in sink.requests]
    assert prompts == sorted(prompts) and prompts[-1] > 3 * prompts[0]
    turns = sink.turns
    assert len(turns) == sum(len(a.turns) for a in MATRIX.agents) + 1
    assert turns[-1].integration and not any(t.integration for t in turns[:-1])
    # dependency order: the catalog's turns come before the platform's
    first_catalog = next(i for i, t in enumerate(turns) if "catalog" in t.user_message.lower())
    assert first_catalog < len(turns) - 3
    assert all(t.status == "ok" for t in turns), [t.status for t in turns]


def test_waves_follow_dependencies_and_pass_outputs_forward(tmp_path: Path) -> None:
    _, sink = run_under("waves", MATRIX, tmp_path)
    roles = {s.agent_id: s.role for s in sink.sessions}
    assert roles == {
        "catalog": "wave1",
        "favorites": "wave2",
        "checkout": "wave2",
        "platform": "wave3",
        "integrator": "integrator",
    }
    assert "Earlier waves" not in _first_message(sink, "catalog")
    wave2 = _first_message(sink, "favorites")
    assert "Earlier waves" in wave2 and "catalog has written" in wave2
    assert "favorites has written" not in wave2  # same-wave agents see nothing of each other
    wave3 = _first_message(sink, "platform")
    assert "favorites has written" in wave3 and "checkout has written" in wave3
    integration = _first_message(sink, "integrator")
    assert all(f"{a} has written" in integration for a in BLOCK_AGENTS)
    # earlier waves ran before later ones started
    by_agent = {s.agent_id: s for s in sink.sessions}
    assert by_agent["catalog"].t_end_ns <= by_agent["favorites"].t_start_ns
    assert (
        max(by_agent[a].t_end_ns for a in ("favorites", "checkout"))
        <= by_agent["platform"].t_start_ns
    )


def test_scatter_gather_isolates_blocks_and_gathers_everything(tmp_path: Path) -> None:
    runtime, sink = run_under("scatter-gather", MATRIX, tmp_path)
    scatter = [s for s in sink.sessions if s.role == "scatter"]
    assert {s.agent_id for s in scatter} == BLOCK_AGENTS
    for agent in BLOCK_AGENTS:
        assert "has written" not in _first_message(sink, agent)
    # all blocks in flight together: every block started before any finished
    assert max(s.t_start_ns for s in scatter) < min(s.t_end_ns for s in scatter)
    (gather,) = _turns(sink, "gather")
    assert gather.integration
    assert all(f"{a} has written" in gather.user_message for a in BLOCK_AGENTS)
    assert "lines," in gather.user_message  # the manifests came along
    block = orchestration_block([runtime], sink)[0]
    assert block["integration_turn"]["session_id"] == gather.session_id


def test_team_mode_shares_a_board_between_turns(tmp_path: Path) -> None:
    _, sink = run_under("team-mode", MATRIX, tmp_path)
    members = _turns(sink, "member")
    firsts = [t for t in members if t.turn_index == 0]
    seconds = [t for t in members if t.turn_index == 1]
    assert len(firsts) == 4 and len(seconds) == 4
    assert not any("Team board" in t.user_message for t in firsts)
    for turn in seconds:
        assert "Team board, new posts" in turn.user_message
        others = BLOCK_AGENTS - {turn.agent_id}
        assert all(f"{a} has written" in turn.user_message for a in others)
        assert f"{turn.agent_id} has written" not in turn.user_message  # not its own post
    (lead,) = _turns(sink, "lead")
    assert lead.integration and "The team board" in lead.user_message


def test_subagents_lead_sees_only_short_reports(tmp_path: Path) -> None:
    runtime, sink = run_under("subagents", MATRIX, tmp_path)
    lead_turns = _turns(sink, "lead")
    assert len(lead_turns) == 2
    plan, integration = lead_turns
    assert "delegation plan" in plan.user_message and not plan.tool_calls
    for agent in BLOCK_AGENTS:
        assert "Your lead's delegation plan" in _first_message(sink, agent)
    assert integration.integration and "Your sub-agents reported" in integration.user_message
    assert "lines," not in integration.user_message  # no manifests, no files
    lead_session = next(s for s in runtime.sessions if s.session_id == plan.session_id)
    assert lead_session.inner.workspace.shared == {}
    sub_files = [f for s in sink.sessions if s.role == "subagent" for f in s.files]
    assert sub_files  # the sub-agents wrote files the lead never received


def test_shapes_differ_in_their_request_graphs(tmp_path: Path) -> None:
    shapes = ["flat", "waves", "scatter-gather", "team-mode", "subagents"]
    graphs = {}
    for i, shape in enumerate(shapes):
        _, sink = run_under(shape, MATRIX, tmp_path / str(i))
        graphs[shape] = tuple(sorted((s.role or "", s.turns) for s in sink.sessions))
    assert len(set(graphs.values())) == len(shapes), graphs


def test_unknown_shape_is_one_clear_error() -> None:
    with pytest.raises(PluginError, match=r"unknown shape 'pyramid' \(available: flat, "):
        PluginHost().get("shape", "pyramid")
