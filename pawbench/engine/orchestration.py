"""The runtime a shape plugin drives: it opens agent conversations, runs their turns with the
context the shape lets flow in, and keeps every record. Orchestration sessions are recorded at
level 0 with their shape's name, apart from the concurrency levels."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping
from typing import Any

from pawbench.components import Shape
from pawbench.engine.agent import AgentSession, SessionSettings, progress_summary
from pawbench.engine.dispatcher import Dispatcher
from pawbench.engine.sink import RecordSink
from pawbench.models.records import SessionRecord, TurnRecord
from pawbench.models.scenario import Agent, Block, Expect, Scenario, Turn

ORCHESTRATION_LEVEL = 0
STANDARD_TOOLS = ("write_file", "read_file", "list_files", "run_command")
_SYMBOL = re.compile(
    r"^(?:async\s+def|def|class|function|export\s+(?:default\s+)?(?:function|class|const)|"
    r"const|interface|type)\s+([A-Za-z_$][\w$]*)",
    re.MULTILINE,
)


def manifest(files: Mapping[str, str]) -> str:
    """Paths, sizes and top-level symbols of a set of files."""
    if not files:
        return "(no files)"
    lines = []
    for path in sorted(files):
        text = files[path]
        symbols = _SYMBOL.findall(text)[:12]
        shown = f"; symbols: {', '.join(symbols)}" if symbols else ""
        lines.append(f"- {path} ({len(text.splitlines())} lines, {len(text)} chars{shown})")
    return "\n".join(lines)


class OrchestratedSession:
    """A ShapeSession: one conversation opened by a shape."""

    def __init__(self, inner: AgentSession, runtime: OrchestrationRuntime) -> None:
        self.inner = inner
        self.runtime = runtime
        self.session_id = inner.session_id
        self.agent = inner.agent
        self.turns_run: list[Turn] = []
        self._record: SessionRecord | None = None

    @property
    def files(self) -> dict[str, str]:
        """What this session wrote."""
        return self.inner.workspace.files

    @property
    def last_text(self) -> str:
        """Its latest final answer."""
        return self.inner.last_final_text

    @property
    def stopped(self) -> bool:
        """A request failed for good."""
        return self.inner.stopped

    async def turn(self, turn: Turn, *, context: str | None = None) -> TurnRecord | None:
        """Run one turn with optional context in front of its message."""
        if self.stopped or self._record is not None:
            return None
        index = len(self.turns_run)
        self.turns_run.append(turn)
        integration = id(turn) in self.runtime.integration_turns
        return await self.inner.run_turn(index, turn, context, integration=integration)

    def share(self, files: Mapping[str, str]) -> None:
        """Other agents' files, readable here."""
        self.inner.workspace.shared.update(files)

    def report(self) -> str:
        """Files written and the last STATUS line."""
        return progress_summary(self.agent.id, self.files, self.last_text)

    def manifest(self) -> str:
        """Paths, sizes and top-level symbols of what this session wrote."""
        return manifest(self.files)

    async def close(self) -> SessionRecord:
        """Emit the session record; the agent as it ran is kept for scoring."""
        if self._record is None:
            ran = self.turns_run or list(self.agent.turns)
            self.runtime.agents[self.session_id] = self.agent.model_copy(update={"turns": ran})
            self._record = await self.inner.finish()
        return self._record


class OrchestrationRuntime:
    """The ShapeRuntime of one scenario under one shape."""

    def __init__(
        self,
        *,
        scenario: Scenario,
        shape: str,
        settings: SessionSettings,
        dispatcher: Dispatcher,
        sink: RecordSink,
    ) -> None:
        self.scenario = scenario
        self.shape = shape
        self.settings = settings
        self.dispatcher = dispatcher
        self.sink = sink
        self.agents: dict[str, Agent] = {}
        self.sessions: list[OrchestratedSession] = []
        self.integration_turns: set[int] = set()

    def blocks(self) -> list[Block]:
        """Declared blocks, or one block per agent."""
        return scenario_blocks(self.scenario)

    def waves(self) -> list[list[Block]]:
        """Blocks layered by dependencies: a block joins the first wave after all it needs."""
        remaining = self.blocks()
        done: set[str] = set()
        waves: list[list[Block]] = []
        while remaining:
            wave = [b for b in remaining if set(b.depends_on) <= done]
            if not wave:  # cycles are rejected when scenarios load; stay safe anyway
                wave = remaining
            waves.append(wave)
            done.update(b.id for b in wave)
            remaining = [b for b in remaining if b not in wave]
        return waves

    def open(self, agent: Agent, *, role: str) -> OrchestratedSession:
        """Open a conversation for a scenario agent or one the shape made."""
        number = len(self.sessions)
        inner = AgentSession(
            session_id=f"{self.scenario.id}-{self.shape}-{role}-{number}",
            scenario=self.scenario,
            agent=agent,
            level=ORCHESTRATION_LEVEL,
            settings=self.settings,
            dispatcher=self.dispatcher,
            sink=self.sink,
            shape=self.shape,
            role=role,
        )
        session = OrchestratedSession(inner, self)
        self.sessions.append(session)
        return session

    def integration_turn(self, brief: str) -> Turn:
        """The scenario's integration turn (or the default), with ``brief`` in front."""
        base = integration_of(self.scenario)
        content = f"{brief}\n\n{base.content}" if brief else base.content
        turn = base.model_copy(update={"content": content})
        self.integration_turns.add(id(turn))
        return turn

    async def close_all(self) -> None:
        """Close every session the shape left open."""
        for session in self.sessions:
            await session.close()


def scenario_blocks(scenario: Scenario) -> list[Block]:
    """A scenario's declared blocks, or one block per agent."""
    if scenario.blocks:
        return list(scenario.blocks)
    return [Block(id=a.id, name=a.name, agents=[a.id], tier=a.tier) for a in scenario.agents]


def integration_of(scenario: Scenario) -> Turn:
    """The scenario's integration turn, or the default one for its blocks."""
    return scenario.integration or default_integration(scenario, scenario_blocks(scenario))


def default_integration(scenario: Scenario, blocks: list[Block]) -> Turn:
    """An integration turn for scenarios that declare none: wire the blocks together."""
    defined = {t.function.name for t in scenario.tools_schema}
    tools = [t for t in STANDARD_TOOLS if t in defined]
    names = ", ".join(f"{b.id} ({b.name or b.id})" for b in blocks)
    writes = "write_file" in tools
    return Turn(
        content=(
            f"Integrate the work of every block — {names} — into one application: read what "
            "the blocks produced, wire them together in a single entry point, and write "
            "INTEGRATION.md explaining how the parts connect. End with the status block."
        ),
        tools=tools,
        expect=Expect(
            tool_calls_min=1 if writes else 0,
            tool_name_any=["write_file"] if writes else [],
            output_mentions=[b.id for b in blocks],
            mentions_in="both",
        ),
    )


async def run_shape(
    shape: Shape,
    scenario: Scenario,
    *,
    settings: SessionSettings,
    dispatcher: Dispatcher,
    sink: RecordSink,
) -> OrchestrationRuntime:
    """Run one scenario under one shape; every session is closed, even when the shape fails."""
    runtime = OrchestrationRuntime(
        scenario=scenario, shape=shape.name, settings=settings, dispatcher=dispatcher, sink=sink
    )
    try:
        await shape.execute(runtime)
    finally:
        await runtime.close_all()
    return runtime


def orchestration_block(
    runtimes: list[OrchestrationRuntime], sink: RecordSink
) -> list[dict[str, Any]]:
    """Per shape and scenario: sessions, requests, tokens, wall time, turn statuses, and the
    integration turn (the last turn of the session that ran it)."""
    out = []
    for rt in runtimes:
        ids = {s.session_id for s in rt.sessions}
        sessions = [s for s in sink.sessions if s.session_id in ids]
        turns = [t for t in sink.turns if t.session_id in ids]
        requests = [r for r in sink.requests if r.session_id in ids]
        integration = next((t for t in reversed(turns) if t.integration), None)
        out.append(
            {
                "shape": rt.shape,
                "scenario_id": rt.scenario.id,
                "sessions": len(sessions),
                "roles": sorted({s.role or "" for s in sessions}),
                "requests": len(requests),
                "errors": sum(1 for r in requests if r.status != "ok"),
                "prompt_tokens": sum(r.prompt_tokens or 0 for r in requests),
                "completion_tokens": sum(r.completion_tokens or 0 for r in requests),
                "wall_s": (
                    (max(s.t_end_ns for s in sessions) - min(s.t_start_ns for s in sessions)) / 1e9
                    if sessions
                    else 0.0
                ),
                "turns": dict(Counter(t.status for t in turns)),
                "integration_turn": None
                if integration is None
                else {
                    "session_id": integration.session_id,
                    "status": integration.status,
                    "turn_index": integration.turn_index,
                },
            }
        )
    return out
