"""A readable summary of a scenario for ``pawbench scenarios show``."""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from pawbench.models.scenario import Scenario


def summarize(scenario: Scenario) -> RenderableType:
    """Agents x turns, tools, steering and nudge points, tiers, fixtures."""
    turns = sum(len(a.turns) for a in scenario.agents)
    head = Text.assemble(
        (f"{scenario.id}", "bold"),
        f" — {scenario.name}\n",
        f"{scenario.description}\n" if scenario.description else "",
        f"{len(scenario.agents)} agent(s) × {turns} turn(s); "
        f"tools: {', '.join(t.function.name for t in scenario.tools_schema) or 'none'}",
    )
    table = Table("agent", "turn", "tier", "event", "tools", "expects", "prompt")
    for agent in scenario.agents:
        for i, turn in enumerate(agent.turns):
            event = "-"
            if turn.event:
                source = f" from {turn.event.from_agent}" if turn.event.from_agent else ""
                event = f"{turn.event.kind}{source}: {', '.join(turn.event.keywords)}"
            expect = turn.expect
            expects = [f"≥{expect.tool_calls_min} call(s)"] if expect.tool_calls_min else []
            if expect.output_mentions:
                expects.append(f"mentions {len(expect.output_mentions)} ({expect.mentions_in})")
            if expect.constraints:
                expects.append(f"{len(expect.constraints)} constraint(s)")
            prompt = turn.content if len(turn.content) <= 60 else turn.content[:57] + "..."
            table.add_row(
                f"{agent.id} ({agent.language or agent.name})" if i == 0 else "",
                str(turn.turn or i + 1),
                scenario.turn_tier(agent, turn) or "-",
                event,
                ", ".join(turn.tools) or "-",
                "; ".join(expects) or "-",
                prompt,
            )
    parts: list[RenderableType] = [head, table]
    fixtures = _fixture_lines(scenario)
    if fixtures:
        parts.append(Text("fixtures:\n" + "\n".join(fixtures)))
    if scenario.blocks:
        lines = [
            f"  {b.id}: {', '.join(b.agents)}"
            + (f" (needs {', '.join(b.depends_on)})" if b.depends_on else "")
            + (f" [{b.tier}]" if b.tier else "")
            for b in scenario.blocks
        ]
        parts.append(Text("blocks:\n" + "\n".join(lines)))
    return Group(*parts)


def _fixture_lines(scenario: Scenario) -> list[str]:
    lines = [f"  file {p}" for p in scenario.fixtures.files]
    lines += [f"  command ~ {c.match!r}" for c in scenario.fixtures.commands]
    for agent in scenario.agents:
        lines += [f"  {agent.id}: file {p}" for p in agent.fixtures.files]
        lines += [f"  {agent.id}: command ~ {c.match!r}" for c in agent.fixtures.commands]
    return lines
