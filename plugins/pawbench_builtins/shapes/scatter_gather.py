"""``scatter-gather``: every block in parallel and isolated (no dependency information); a
gather agent then receives every block's output and performs the integration turn."""

from __future__ import annotations

from pawbench.api import Shape, ShapeRuntime, hookimpl
from pawbench_builtins.shapes.common import (
    all_agents,
    all_files,
    block_agents,
    integrator,
    outputs_brief,
    run_all_turns,
    together,
)


class ScatterGatherShape(Shape):
    """All blocks in parallel, isolated; a gather agent integrates every block's output."""

    name = "scatter-gather"

    async def execute(self, runtime: ShapeRuntime) -> None:
        opened = [
            (runtime.open(agent, role="scatter"), agent)
            for block in runtime.blocks()
            for agent in block_agents(runtime, block)
        ]
        await together(run_all_turns(s, a.turns, None) for s, a in opened)
        scattered = [s for s, _ in opened]
        gather = runtime.open(
            integrator(runtime, "gather", "Gather agent", all_agents(runtime)), role="gather"
        )
        gather.share(all_files(scattered))
        brief = outputs_brief("The blocks ran in parallel and produced:", scattered, True)
        await gather.turn(runtime.integration_turn(brief))


@hookimpl
def pawbench_register_shapes() -> list[type[Shape]]:
    return [ScatterGatherShape]
