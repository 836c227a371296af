"""Cross-reference checks a scenario must pass beyond its field types.

Each problem is a (JSON path, message) pair so that errors name exactly where the file is wrong.
"""

from __future__ import annotations

from collections.abc import Iterator

from pawbench.models.scenario import Block, Scenario

Problem = tuple[str, str]


def reference_problems(scenario: Scenario) -> list[Problem]:
    """All cross-reference problems of a scenario, in file order."""
    return [*_tool_problems(scenario), *_agent_problems(scenario), *_block_problems(scenario)]


def _tool_problems(scenario: Scenario) -> Iterator[Problem]:
    names = [t.function.name for t in scenario.tools_schema]
    for i, name in enumerate(names):
        if name in names[:i]:
            yield f"tools_schema[{i}].function.name", f"duplicate tool name {name!r}"
    defined = set(names)
    located = [
        (f"agents[{a}].turns[{t}]", turn)
        for a, agent in enumerate(scenario.agents)
        for t, turn in enumerate(agent.turns)
    ]
    if scenario.integration is not None:
        located.append(("integration", scenario.integration))
    for base, turn in located:
        for k, tool in enumerate(turn.tools):
            if tool not in defined:
                yield f"{base}.tools[{k}]", f"tool {tool!r} is offered but not in tools_schema"
        offered = set(turn.tools)
        for k, tool in enumerate(turn.expect.tool_name_any):
            if tool not in offered:
                yield (
                    f"{base}.expect.tool_name_any[{k}]",
                    f"expects tool {tool!r}, which the turn does not offer",
                )
        if turn.expect.tool_calls_min > 0 and not offered:
            yield (
                f"{base}.expect.tool_calls_min",
                "expects tool calls but the turn offers no tools",
            )


def _agent_problems(scenario: Scenario) -> Iterator[Problem]:
    ids = [a.id for a in scenario.agents]
    for i, agent_id in enumerate(ids):
        if agent_id in ids[:i]:
            yield f"agents[{i}].id", f"duplicate agent id {agent_id!r}"
    for a, agent in enumerate(scenario.agents):
        numbers = [t.turn for t in agent.turns if t.turn is not None]
        for t, turn in enumerate(agent.turns):
            base = f"agents[{a}].turns[{t}]"
            if turn.turn is not None and numbers.count(turn.turn) > 1:
                yield f"{base}.turn", f"turn number {turn.turn} is used more than once"
            event = turn.event
            if event is None or event.from_agent is None:
                continue
            if event.from_agent not in ids:
                yield f"{base}.event.from_agent", f"unknown agent {event.from_agent!r}"
            elif event.from_agent == agent.id:
                yield f"{base}.event.from_agent", "a nudge cannot come from the agent it nudges"


def _block_problems(scenario: Scenario) -> Iterator[Problem]:
    agent_ids = {a.id for a in scenario.agents}
    block_ids = [b.id for b in scenario.blocks]
    for b, block in enumerate(scenario.blocks):
        if block.id in block_ids[:b]:
            yield f"blocks[{b}].id", f"duplicate block id {block.id!r}"
        for k, agent_id in enumerate(block.agents):
            if agent_id not in agent_ids:
                yield f"blocks[{b}].agents[{k}]", f"unknown agent {agent_id!r}"
        for k, dep in enumerate(block.depends_on):
            if dep not in block_ids:
                yield f"blocks[{b}].depends_on[{k}]", f"unknown block {dep!r}"
    cycle = _find_cycle(scenario.blocks)
    if cycle:
        yield "blocks", "dependency cycle: " + " -> ".join(cycle)


def _find_cycle(blocks: list[Block]) -> list[str]:
    deps = {b.id: list(b.depends_on) for b in blocks}
    state: dict[str, int] = {}  # 1 = on the current path, 2 = done

    def visit(node: str, path: list[str]) -> list[str]:
        state[node] = 1
        for dep in deps.get(node, []):
            if state.get(dep) == 1:
                return [*path[path.index(dep) :], dep] if dep in path else [node, dep]
            if dep in deps and state.get(dep) is None:
                found = visit(dep, [*path, dep])
                if found:
                    return found
        state[node] = 2
        return []

    for block_id in deps:
        if state.get(block_id) is None:
            found = visit(block_id, [block_id])
            if found:
                return found
    return []
