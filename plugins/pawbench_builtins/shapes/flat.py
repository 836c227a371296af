"""``flat``: one conversation does every block in sequence; its context accumulates."""

from __future__ import annotations

from pawbench.api import Agent, Shape, ShapeRuntime, hookimpl
from pawbench_builtins.shapes.common import all_agents, merged_fixtures


class FlatShape(Shape):
    """One agent does all blocks in dependency order, then integrates; context accumulates."""

    name = "flat"

    async def execute(self, runtime: ShapeRuntime) -> None:
        agents = all_agents(runtime)
        ordered = [a for wave in runtime.waves() for b in wave for a in agents if a.id in b.agents]
        turns = [t for a in ordered for t in a.turns]
        solo = Agent(
            id="flat",
            name="Single agent (flat)",
            language=next((a.language for a in ordered if a.language), None),
            fixtures=merged_fixtures(ordered),
            turns=[*turns, runtime.integration_turn("")],
        )
        session = runtime.open(solo, role="flat")
        for turn in solo.turns:
            await session.turn(turn)
        await session.close()


@hookimpl
def pawbench_register_shapes() -> list[type[Shape]]:
    return [FlatShape]
