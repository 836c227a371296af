"""The oracle of the competent persona: it recognises a scenario turn from the user message and
tells what a correct answer shows (expected tools, terms to mention, constraints, fixtures)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from pawbench.models.scenario import Agent, Fixtures, Scenario, ScriptedResult, Turn

# A turn whose content is shorter than this only matches a user message exactly: a short
# content ("Continue.") contained in an unrelated prompt is not a sign of that turn.
_MIN_CONTAINED = 20
# The engine replaces this placeholder of a nudge turn with another agent's progress.
_PLACEHOLDER = "{progress}"


@dataclass(frozen=True)
class TurnHint:
    """What the oracle knows about the turn being answered."""

    scenario_id: str
    agent_id: str
    turn: Turn
    terms: tuple[str, ...]
    avoid: tuple[str, ...]
    max_words: int | None
    write_globs: tuple[str, ...]
    call_tools: tuple[str, ...]
    language: str | None
    files: dict[str, str] = field(default_factory=dict)
    commands: tuple[ScriptedResult, ...] = ()
    earlier_terms: tuple[str, ...] = ()

    @property
    def keywords(self) -> tuple[str, ...]:
        """The steering / nudge keywords of the turn (empty when it has no event)."""
        return tuple(self.turn.event.keywords) if self.turn.event else ()

    @property
    def wants_tools(self) -> bool:
        """Whether a correct answer calls tools."""
        expect = self.turn.expect
        return bool(
            expect.tool_calls_min or expect.tool_name_any or self.write_globs or self.call_tools
        )


def _terms(turn: Turn) -> list[str]:
    terms = [*turn.expect.output_mentions, *(turn.event.keywords if turn.event else [])]
    for c in turn.expect.constraints:
        if c.kind == "mention_all":
            terms += [v.strip() for v in str(c.value).split(",") if v.strip()]
    return terms


def _hint(scenario: Scenario, agent: Agent, index: int) -> TurnHint:
    turn = agent.turns[index]
    expect = turn.expect
    terms = _terms(turn)
    earlier = [t for previous in agent.turns[:index] for t in _terms(previous)]
    avoid: list[str] = []
    globs: list[str] = []
    calls: list[str] = []
    max_words: int | None = None
    for c in expect.constraints:
        value = str(c.value)
        if c.kind == "avoid":
            avoid.append(value)
        elif c.kind == "write_file":
            globs.append(value)
        elif c.kind == "call_tool":
            calls.append(value)
        elif c.kind == "max_words":
            max_words = int(c.value)
    files = {**scenario.fixtures.files, **agent.fixtures.files}
    commands = (*turn.scripted_results(), *agent.fixtures.commands, *scenario.fixtures.commands)
    return TurnHint(
        scenario_id=scenario.id,
        agent_id=agent.id,
        turn=turn,
        terms=tuple(dict.fromkeys(t for t in terms if t)),
        avoid=tuple(avoid),
        max_words=max_words,
        write_globs=tuple(globs),
        call_tools=tuple(calls),
        language=agent.language,
        files=files,
        commands=commands,
        earlier_terms=tuple(dict.fromkeys(t for t in earlier if t not in terms)),
    )


def _integrator(scenario: Scenario) -> Agent:
    """The integration turn that orchestration shapes end with, as a one-turn agent."""
    from pawbench.engine.orchestration import integration_of

    files: dict[str, str] = {}
    commands: list[ScriptedResult] = []
    for agent in scenario.agents:
        files.update(agent.fixtures.files)
        commands.extend(agent.fixtures.commands)
    language = next((a.language for a in scenario.agents if a.language), None)
    return Agent(
        id="integrator",
        name="Integrator",
        language=language,
        fixtures=Fixtures(files=files, commands=commands),
        turns=[integration_of(scenario)],
    )


class Oracle:
    """Turn lookup over a set of scenarios: exact content first, then the longest turn content
    contained in the message (a shape may prepend a brief to the first turn; the ``{progress}``
    placeholder of a nudge may hold anything)."""

    def __init__(self, scenarios: Iterable[Scenario]) -> None:
        self._exact: dict[str, TurnHint] = {}
        self._contained: list[tuple[tuple[str, ...], TurnHint]] = []
        self._memo: dict[str, TurnHint | None] = {}
        for scenario in scenarios:
            for agent in [*scenario.agents, _integrator(scenario)]:
                for index, turn in enumerate(agent.turns):
                    key = turn.content.strip()
                    hint = _hint(scenario, agent, index)
                    self._exact.setdefault(key, hint)
                    parts = tuple(p.strip() for p in key.split(_PLACEHOLDER) if p.strip())
                    if sum(len(p) for p in parts) >= _MIN_CONTAINED:
                        self._contained.append((parts, hint))
        self._contained.sort(key=lambda item: -sum(len(p) for p in item[0]))

    @classmethod
    def builtin(cls) -> Oracle:
        """An oracle over the built-in scenario catalog."""
        from pawbench.scenarios import ScenarioCatalog

        catalog = ScenarioCatalog()
        return cls(entry.scenario for entry in catalog.entries.values())

    def __len__(self) -> int:
        return len(self._exact)

    def match(self, message: str) -> TurnHint | None:
        """The hint for the turn this user message is, if it is one."""
        key = message.strip()
        if key in self._memo:
            return self._memo[key]
        hint = self._exact.get(key)
        if hint is None:
            hint = next((h for parts, h in self._contained if all(p in key for p in parts)), None)
        if len(self._memo) > 4096:
            self._memo.clear()
        self._memo[key] = hint
        return hint
