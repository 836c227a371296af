"""``subagents``: a lead plans, delegates each block to an isolated sub-agent, receives only
each sub-agent's short final report (not its files or history), then integrates."""

from __future__ import annotations

from pawbench.api import Shape, ShapeRuntime, Turn, hookimpl
from pawbench_builtins.shapes.common import (
    all_agents,
    block_agents,
    integrator,
    run_all_turns,
    together,
)


class SubagentsShape(Shape):
    """A lead plans and delegates; sub-agents are isolated; the lead sees only their reports."""

    name = "subagents"

    async def execute(self, runtime: ShapeRuntime) -> None:
        blocks = runtime.blocks()
        base = integrator(runtime, "lead", "Lead agent", all_agents(runtime))
        outline = "\n".join(
            f"- {b.id}: {b.name or b.id}"
            + (f" (needs {', '.join(b.depends_on)})" if b.depends_on else "")
            for b in blocks
        )
        plan_turn = Turn(
            content=(
                "You lead a team of sub-agents. These blocks must be built:\n"
                f"{outline}\nWrite a short delegation plan: one line per block with what its "
                "sub-agent must deliver. Do not write code yet."
            )
        )
        lead = runtime.open(
            base.model_copy(update={"turns": [plan_turn, *base.turns]}), role="lead"
        )
        await lead.turn(plan_turn)
        plan = lead.last_text
        subs = [
            (runtime.open(agent, role="subagent"), agent)
            for block in blocks
            for agent in block_agents(runtime, block)
        ]
        brief = f"Your lead's delegation plan:\n{plan}" if plan else None
        await together(run_all_turns(s, a.turns, brief) for s, a in subs)
        reports = "\n".join(f"* {_short(s.report())}" for s, _ in subs)
        await lead.turn(runtime.integration_turn(f"Your sub-agents reported:\n{reports}"))


def _short(report: str, limit: int = 300) -> str:
    return report if len(report) <= limit else report[: limit - 3] + "..."


@hookimpl
def pawbench_register_shapes() -> list[type[Shape]]:
    return [SubagentsShape]
