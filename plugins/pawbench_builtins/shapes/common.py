"""Helpers shared by the built-in shapes (no hooks here)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Iterable, Mapping

from pawbench.api import Agent, Block, Fixtures, ShapeRuntime, ShapeSession, Turn


def block_agents(runtime: ShapeRuntime, block: Block) -> list[Agent]:
    """The scenario agents of a block, with the block's tier on turns that have none."""
    agents = []
    for agent_id in block.agents:
        agent = next(a for a in runtime.scenario.agents if a.id == agent_id)
        tier = agent.tier or block.tier or runtime.scenario.tier
        turns = [t if t.tier else t.model_copy(update={"tier": tier}) for t in agent.turns]
        agents.append(agent.model_copy(update={"turns": turns, "tier": tier}))
    return agents


def merged_fixtures(agents: Iterable[Agent]) -> Fixtures:
    """Union of several agents' fixtures (first one wins on a path)."""
    files: dict[str, str] = {}
    commands = []
    for agent in agents:
        for path, content in agent.fixtures.files.items():
            files.setdefault(path, content)
        commands.extend(agent.fixtures.commands)
    return Fixtures(files=files, commands=commands)


def integrator(runtime: ShapeRuntime, agent_id: str, name: str, agents: list[Agent]) -> Agent:
    """A synthetic agent that performs the integration turn."""
    language = next((a.language for a in agents if a.language), None)
    turn = runtime.integration_turn("")
    return Agent(
        id=agent_id,
        name=name,
        language=language,
        fixtures=merged_fixtures(agents),
        turns=[turn],
    )


def all_agents(runtime: ShapeRuntime) -> list[Agent]:
    """Every block's agents, in block order."""
    return [a for block in runtime.blocks() for a in block_agents(runtime, block)]


async def run_all_turns(session: ShapeSession, turns: list[Turn], context: str | None) -> None:
    """Run turns in order; ``context`` goes in front of the first one only."""
    for i, turn in enumerate(turns):
        await session.turn(turn, context=context if i == 0 else None)


async def together(jobs: Iterable[Awaitable[None]]) -> None:
    """Run jobs concurrently."""
    await asyncio.gather(*jobs)


def outputs_brief(title: str, sessions: Iterable[ShapeSession], with_manifest: bool) -> str:
    """What earlier agents produced: their reports and (optionally) file manifests."""
    parts = [title]
    for s in sessions:
        parts.append(f"* {s.report()}")
        if with_manifest:
            parts.append(s.manifest())
    return "\n".join(parts)


def all_files(sessions: Iterable[ShapeSession]) -> Mapping[str, str]:
    """The files several sessions wrote (later sessions win on a path)."""
    files: dict[str, str] = {}
    for s in sessions:
        files.update(s.files)
    return files
