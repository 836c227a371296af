"""The scenario model: what a benchmark workload is made of.

It is a superset of the format published with PawBench 1.1.4
(``{id, name, agents[{id, name, turns[{turn, role, content, tools, expect, inject_tool_results}]}],
tools_schema}``), so those files load unchanged. Every model forbids unknown keys so that a typo
is an error, not a silently ignored setting.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

Tier = Literal["display", "crud", "transactional", "cross_cutting"]
TIERS: tuple[Tier, ...] = ("display", "crud", "transactional", "cross_cutting")
MentionScope = Literal["text", "tool_args", "both"]
EventKind = Literal["steering", "nudge"]
ConstraintKind = Literal["call_tool", "write_file", "mention_all", "avoid", "max_words"]

_ID = r"^[A-Za-z0-9][A-Za-z0-9_.-]*$"
_TOOL_NAME = r"^[A-Za-z0-9_-]{1,64}$"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ToolFunction(_Strict):
    """An OpenAI function definition: name, description and a JSON Schema for the arguments."""

    name: str = Field(pattern=_TOOL_NAME)
    description: str = ""
    parameters: dict[str, Any] = Field(default_factory=lambda: {"type": "object", "properties": {}})
    strict: bool | None = None


class ToolSchema(_Strict):
    """A tool in the OpenAI ``tools`` format: ``{"type": "function", "function": {...}}``."""

    type: Literal["function"] = "function"
    function: ToolFunction


class ScriptedResult(_Strict):
    """A scripted tool result: when ``tool`` is called and ``match`` is found in its arguments
    (the command for run_command, the path for read_file), the tool answers ``output``."""

    tool: str = Field(default="run_command", pattern=_TOOL_NAME)
    match: str = ""
    output: str
    exit_code: int = 0


class Fixtures(_Strict):
    """What the confined tool workspace can answer: files read_file may return and scripted
    command outputs for run_command. Nothing is ever executed."""

    files: dict[str, str] = Field(default_factory=dict)
    commands: list[ScriptedResult] = Field(default_factory=list)


class Constraint(_Strict):
    """An explicit instruction of a turn, checked for instruction following.

    - ``call_tool``: the named tool (``value``) must be called in the turn;
    - ``write_file``: a file whose path matches the glob ``value`` must be written;
    - ``mention_all``: every comma-separated term of ``value`` must appear in the answer;
    - ``avoid``: ``value`` must not appear in the answer;
    - ``max_words``: the final text answer has at most ``value`` words.
    """

    kind: ConstraintKind
    value: str | int
    description: str = ""


class Expect(_Strict):
    """What a correct answer to a turn shows."""

    tool_calls_min: int = Field(default=0, ge=0)
    tool_name_any: list[str] = Field(default_factory=list)
    output_mentions: list[str] = Field(default_factory=list)
    mentions_in: MentionScope = "both"
    constraints: list[Constraint] = Field(default_factory=list)


class Event(_Strict):
    """Marks a turn as a steering event or a nudge, with the keywords a reply that follows it
    contains. A nudge may be derived from another agent's progress (``from_agent``)."""

    kind: EventKind
    keywords: list[str] = Field(min_length=1)
    mentions_in: MentionScope = "both"
    from_agent: str | None = None
    description: str = ""


class Turn(_Strict):
    """One user message of an agent's conversation and what its answer should show."""

    turn: int | None = Field(default=None, ge=1)
    role: Literal["user"] = "user"
    content: str = Field(min_length=1)
    tools: list[str] = Field(default_factory=list)
    expect: Expect = Field(default_factory=Expect)
    inject_tool_results: list[ScriptedResult] | dict[str, str] | bool | None = None
    event: Event | None = None
    tier: Tier | None = None
    max_steps: int | None = Field(default=None, ge=1, le=64)

    def scripted_results(self) -> list[ScriptedResult]:
        """``inject_tool_results`` normalised: a mapping reads as {command pattern: output}."""
        value = self.inject_tool_results
        if isinstance(value, dict):
            return [ScriptedResult(match=k, output=v) for k, v in value.items()]
        if isinstance(value, list):
            return list(value)
        return []


class Agent(_Strict):
    """One agent: a conversation of turns with its own workspace."""

    id: str = Field(pattern=_ID)
    name: str = Field(min_length=1)
    description: str = ""
    language: str | None = None
    system_prompt: str | None = None
    tier: Tier | None = None
    fixtures: Fixtures = Field(default_factory=Fixtures)
    turns: list[Turn] = Field(min_length=1)


class Block(_Strict):
    """A feature block for orchestration shapes: a group of agents and the blocks it needs."""

    id: str = Field(pattern=_ID)
    name: str = ""
    agents: list[str] = Field(min_length=1)
    depends_on: list[str] = Field(default_factory=list)
    tier: Tier | None = None


class Scenario(_Strict):
    """A benchmark workload: agents with turns, the tools they are offered, fixtures, blocks,
    and the integration turn that orchestration shapes end with (a default one when absent)."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    schema_ref: str | None = Field(default=None, alias="$schema")
    id: str = Field(pattern=_ID)
    name: str = Field(min_length=1)
    description: str = ""
    tier: Tier | None = None
    tags: list[str] = Field(default_factory=list)
    system_prompt: str | None = None
    tools_schema: list[ToolSchema] = Field(default_factory=list)
    fixtures: Fixtures = Field(default_factory=Fixtures)
    agents: list[Agent] = Field(min_length=1)
    blocks: list[Block] = Field(default_factory=list)
    integration: Turn | None = None

    def tool(self, name: str) -> ToolSchema | None:
        """The tool definition called ``name``, if the scenario defines one."""
        for tool in self.tools_schema:
            if tool.function.name == name:
                return tool
        return None

    def agent(self, agent_id: str) -> Agent:
        """The agent with this id (KeyError if none)."""
        for agent in self.agents:
            if agent.id == agent_id:
                return agent
        raise KeyError(agent_id)

    def turn_tier(self, agent: Agent, turn: Turn) -> Tier | None:
        """The tier that applies to a turn: turn tag, else agent, else scenario."""
        return turn.tier or agent.tier or self.tier
