"""Load levels: N agent sessions in flight, round-robin over a scenario's agents.

At level N a scenario runs ``max(N, agents)`` sessions with at most N in flight: at N=1 every
agent runs once, one after another (so single-agent numbers cover all agents); at N >= agents
every agent runs at least once, concurrently. Sessions ``i`` and ``j`` with ``i // agents ==
j // agents`` form a team: a nudge from another agent reads its team-mate's progress.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass

from pawbench.engine.agent import AgentSession, SessionSettings, progress_summary
from pawbench.engine.dispatcher import Dispatcher, now_ns
from pawbench.engine.sink import RecordSink
from pawbench.models.records import SessionRecord
from pawbench.models.scenario import Scenario


@dataclass(frozen=True)
class LevelWindow:
    """When one scenario ran at one level (ns from the run start)."""

    scenario_id: str
    level: int
    t_start_ns: int
    t_end_ns: int
    sessions: int


class Runner:
    """Runs scenarios at load levels through one dispatcher into one sink."""

    def __init__(
        self,
        dispatcher: Dispatcher,
        settings: SessionSettings,
        sink: RecordSink,
        suffix: str = "",
    ) -> None:
        self.suffix = suffix  # keeps session ids of repeated runs apart
        self.dispatcher = dispatcher
        self.settings = settings
        self.sink = sink
        self.windows: list[LevelWindow] = []

    async def run_level(self, scenario: Scenario, level: int) -> list[SessionRecord]:
        """Run one scenario at one concurrency level."""
        agents = scenario.agents
        total = max(level, len(agents))
        gate = asyncio.Semaphore(level)
        teams: dict[int, dict[str, AgentSession]] = {}
        sessions: list[AgentSession] = []
        for i in range(total):
            agent = agents[i % len(agents)]
            team = teams.setdefault(i // len(agents), {})
            session = AgentSession(
                session_id=f"{scenario.id}-c{level}-s{i}{self.suffix}",
                scenario=scenario,
                agent=agent,
                level=level,
                settings=self.settings,
                dispatcher=self.dispatcher,
                sink=self.sink,
                progress=_progress_of(team),
            )
            team[agent.id] = session
            sessions.append(session)

        async def guarded(session: AgentSession) -> SessionRecord:
            async with gate:
                return await session.run()

        t_start = now_ns()
        results = await asyncio.gather(*(guarded(s) for s in sessions))
        t0 = self.dispatcher.t0_ns
        self.windows.append(
            LevelWindow(scenario.id, level, t_start - t0, now_ns() - t0, len(sessions))
        )
        return list(results)


def _progress_of(team: dict[str, AgentSession]) -> Callable[[str], str]:
    def progress(agent_id: str) -> str:
        session = team.get(agent_id)
        if session is None:
            return ""
        return progress_summary(agent_id, session.workspace.files, session.last_final_text)

    return progress
