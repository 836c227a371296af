"""``waves``: blocks grouped by their dependencies; each wave runs in parallel, and agents of a
later wave receive the outputs (manifest and summaries, files readable) of earlier waves."""

from __future__ import annotations

from pawbench.api import Shape, ShapeRuntime, ShapeSession, hookimpl
from pawbench_builtins.shapes.common import (
    all_agents,
    all_files,
    block_agents,
    integrator,
    outputs_brief,
    run_all_turns,
    together,
)


class WavesShape(Shape):
    """Dependency waves in parallel; later waves see earlier waves' manifests and summaries."""

    name = "waves"

    async def execute(self, runtime: ShapeRuntime) -> None:
        done: list[ShapeSession] = []
        for number, wave in enumerate(runtime.waves()):
            brief = (
                outputs_brief(f"Earlier waves (before wave {number + 1}) produced:", done, True)
                if done
                else None
            )
            opened = []
            for block in wave:
                for agent in block_agents(runtime, block):
                    session = runtime.open(agent, role=f"wave{number + 1}")
                    session.share(all_files(done))
                    opened.append((session, agent))
            await together(run_all_turns(s, a.turns, brief) for s, a in opened)
            done.extend(s for s, _ in opened)
        lead = runtime.open(
            integrator(runtime, "integrator", "Integrator", all_agents(runtime)), role="integrator"
        )
        lead.share(all_files(done))
        brief = outputs_brief("Every wave is done. What each agent produced:", done, True)
        await lead.turn(runtime.integration_turn(brief))


@hookimpl
def pawbench_register_shapes() -> list[type[Shape]]:
    return [WavesShape]
