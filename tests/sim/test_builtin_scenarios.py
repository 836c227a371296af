"""sim-good and sim-sloppy on every turn of the built-in scenarios, with the engine's own tool
workspace answering the calls: the competent persona satisfies each turn's expectations without
a fixture gap; the sloppy one gets no call through."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

import aiohttp
import orjson

from pawbench.engine.workspace import Workspace
from pawbench.models.records import ToolCallRecord, ToolResultRecord
from pawbench.models.scenario import Agent, Scenario, Turn
from pawbench.scenarios import ScenarioCatalog
from pawbench.sim import SimServer
from tests.sim.support import STATUS_KEYS, chat, status_block


@dataclass
class TurnOutcome:
    """What one turn produced."""

    turn: Turn
    calls: list[ToolCallRecord] = field(default_factory=list)
    results: list[ToolResultRecord] = field(default_factory=list)
    final: str = ""

    def argument_text(self) -> str:
        values = [orjson.loads(c.arguments) for c in self.calls if c.valid_json]
        return " ".join(str(v) for args in values for v in args.values())


def _valid_json(text: str) -> bool:
    try:
        orjson.loads(text)
    except orjson.JSONDecodeError:
        return False
    return True


async def _agent(
    s: aiohttp.ClientSession, url: str, model: str, scenario: Scenario, agent: Agent
) -> list[TurnOutcome]:
    workspace = Workspace(scenario, agent)
    system = agent.system_prompt or scenario.system_prompt
    messages: list[dict[str, Any]] = [{"role": "system", "content": system}] if system else []
    outcomes = []
    for turn in agent.turns:
        outcome = TurnOutcome(turn)
        text = turn.content.replace("{progress}", "the other agent finished its first task")
        messages.append({"role": "user", "content": text})
        tools = [scenario.tool(n).model_dump(mode="json", exclude_none=True) for n in turn.tools]  # type: ignore[union-attr]
        for _ in range(turn.max_steps or 4):
            reply = await chat(s, url, {"model": model, "messages": messages, "tools": tools})
            message = reply["choices"][0]["message"]
            messages.append({k: v for k, v in message.items() if v is not None})
            if not message.get("tool_calls"):
                outcome.final = message["content"] or ""
                break
            for tc in message["tool_calls"]:
                fn = tc["function"]
                call = ToolCallRecord(
                    id=tc["id"], name=fn["name"], arguments=fn["arguments"],
                    valid_json=_valid_json(fn["arguments"]),
                )  # fmt: skip
                result = workspace.call(call, turn)
                outcome.calls.append(call)
                outcome.results.append(result)
                messages.append({"role": "tool", "tool_call_id": call.id, "content": result.output})
        outcomes.append(outcome)
    return outcomes


def _play(model: str) -> list[TurnOutcome]:
    catalog = ScenarioCatalog()
    scenarios = [catalog.entries[i].scenario for i in catalog.ids()]
    assert scenarios, "no built-in scenarios found"

    async def main() -> list[TurnOutcome]:
        async with SimServer(profile="instant") as sim, aiohttp.ClientSession() as s:
            url = sim.base_url
            out: list[TurnOutcome] = []
            for scenario in scenarios:
                for agent in scenario.agents:
                    out += await _agent(s, url, model, scenario, agent)
            return out

    return asyncio.run(main())


def test_sim_good_meets_every_built_in_turn() -> None:
    outcomes = _play("sim-good")
    for o in outcomes:
        expect, label = o.turn.expect, o.turn.content[:60]
        assert all(r.ok and not r.fixture_gap for r in o.results), (label, o.results)
        assert len(o.calls) >= expect.tool_calls_min, label
        names = {c.name for c in o.calls}
        assert not expect.tool_name_any or names & set(expect.tool_name_any), label
        for constraint in expect.constraints:
            if constraint.kind == "call_tool":
                assert constraint.value in names, label
            if constraint.kind == "max_words":
                assert len(o.final.split()) <= int(constraint.value), label
            if constraint.kind == "avoid":
                assert str(constraint.value) not in o.final + o.argument_text(), label
        scope = {
            "text": o.final,
            "tool_args": o.argument_text(),
            "both": o.final + o.argument_text(),
        }
        keywords = o.turn.event.keywords if o.turn.event else []
        for term in expect.output_mentions:
            assert term in scope[expect.mentions_in], (label, term)
        for term in keywords:
            assert term in scope[o.turn.event.mentions_in], (label, term)  # type: ignore[union-attr]
        assert list(status_block(o.final)) == list(STATUS_KEYS), label


def test_sim_sloppy_gets_no_call_through_and_never_reports_status() -> None:
    outcomes = _play("sim-sloppy")
    calls = [(c, o.turn.tools) for o in outcomes for c in o.calls]
    assert len(calls) >= len(outcomes)
    # Every call has invalid JSON arguments or names a tool that was not offered.
    assert all(not c.valid_json or c.name not in offered for c, offered in calls)
    assert not any(r.ok for o in outcomes for r in o.results)
    assert all(o.final and status_block(o.final) == {} for o in outcomes)
