"""``team-mode``: block agents run in parallel and share a team board. After each turn every
agent posts its progress; each agent's next turn sees its teammates' new posts; files are
shared as they are written; a lead integrates at the end with the whole board."""

from __future__ import annotations

import asyncio

from pawbench.api import Agent, Shape, ShapeRuntime, ShapeSession, hookimpl
from pawbench_builtins.shapes.common import all_agents, all_files, block_agents, integrator


class TeamModeShape(Shape):
    """Parallel agents with a live team board; a lead integrates with the whole board."""

    name = "team-mode"

    async def execute(self, runtime: ShapeRuntime) -> None:
        members = [
            (runtime.open(agent, role="member"), agent)
            for block in runtime.blocks()
            for agent in block_agents(runtime, block)
        ]
        board: list[tuple[str, str]] = []  # (author, post)
        seen = {s.session_id: 0 for s, _ in members}
        rounds = max(len(a.turns) for _, a in members)
        for k in range(rounds):
            await _round(members, k, board, seen)
        sessions = [s for s, _ in members]
        lead = runtime.open(
            integrator(runtime, "lead", "Team lead", all_agents(runtime)), role="lead"
        )
        lead.share(all_files(sessions))
        posts = "\n".join(f"* [{who}] {post}" for who, post in board)
        await lead.turn(runtime.integration_turn(f"The team board:\n{posts}"))


async def _round(
    members: list[tuple[ShapeSession, Agent]],
    k: int,
    board: list[tuple[str, str]],
    seen: dict[str, int],
) -> None:
    async def one(session: ShapeSession, agent: Agent) -> None:
        if k >= len(agent.turns):
            return
        news = [post for who, post in board[seen[session.session_id] :] if who != agent.id]
        seen[session.session_id] = len(board)
        context = "Team board, new posts:\n" + "\n".join(f"* {p}" for p in news) if news else None
        session.share(all_files(s for s, _ in members if s is not session))
        await session.turn(agent.turns[k], context=context)

    await asyncio.gather(*(one(s, a) for s, a in members))
    for session, agent in members:
        if k < len(agent.turns):
            board.append((agent.id, session.report()))


@hookimpl
def pawbench_register_shapes() -> list[type[Shape]]:
    return [TeamModeShape]
