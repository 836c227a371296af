"""The agent loop: one agent's conversation, turn by turn, as a correct coding agent runs it.

Each turn appends its user message; while the model answers with tool calls, every call gets
exactly one tool message carrying its own id and the loop goes on (up to ``max_steps``); the
turn ends with an answer without tool calls. Assistant messages stay in the history as received.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from pawbench.engine.dispatcher import Dispatcher, RequestMeta, now_ns
from pawbench.engine.workspace import Workspace
from pawbench.models.records import (
    RequestRecord,
    SessionRecord,
    ToolCallRecord,
    TurnRecord,
    TurnStatus,
)
from pawbench.models.scenario import Agent, Scenario, Turn
from pawbench.models.wire import ChatRequest

Sink = Callable[[RequestRecord | TurnRecord | SessionRecord], Awaitable[None]]
ProgressSource = Callable[[str], str]
_STATUS_LINE = re.compile(r"^\s*STATUS:.*$", re.MULTILINE)


@dataclass(frozen=True)
class SessionSettings:
    """What every session of a run shares."""

    model: str
    max_steps: int = 4  # when the turn sets none
    max_steps_cap: int | None = None  # --max-steps: caps every turn, its own limit included
    tool_choice: str | None = None  # sent only with requests that offer tools
    max_tokens: int | None = None
    temperature: float | None = None
    seed: int | None = None
    extra_body: dict[str, Any] = field(default_factory=dict)


@dataclass
class _TurnState:
    request_ids: list[str] = field(default_factory=list)
    calls: list[ToolCallRecord] = field(default_factory=list)
    results: list[Any] = field(default_factory=list)
    final_text: str = ""
    status: TurnStatus = "ok"
    steps: int = 0
    hit_max_steps: bool = False


class AgentSession:
    """Runs one agent's turns against the endpoint and emits records as they finish."""

    def __init__(
        self,
        *,
        session_id: str,
        scenario: Scenario,
        agent: Agent,
        level: int,
        settings: SessionSettings,
        dispatcher: Dispatcher,
        sink: Sink,
        progress: ProgressSource | None = None,
        brief: str | None = None,
        shape: str | None = None,
        role: str | None = None,
    ) -> None:
        self.session_id = session_id
        self.scenario = scenario
        self.agent = agent
        self.level = level
        self.settings = settings
        self.dispatcher = dispatcher
        self.sink = sink
        self.progress = progress
        self.brief = brief
        self.workspace = Workspace(scenario, agent)
        self.messages: list[dict[str, Any]] = _system_messages(scenario, agent)
        self.last_final_text = ""
        self.shape = shape
        self.role = role
        self._request_seq = 0
        self._t_start: int | None = None
        self._t_end: int | None = None
        self._status: TurnStatus = "ok"
        self._turns_run = 0

    async def run(self) -> SessionRecord:
        """Run every turn; a transport error or timeout ends the session early."""
        for index, turn in enumerate(self.agent.turns):
            await self.run_turn(index, turn)
            if self.stopped:
                break
        return await self.finish()

    @property
    def stopped(self) -> bool:
        """A request failed for good: the conversation cannot go on."""
        return self._status in ("error", "timeout")

    async def run_turn(
        self, index: int, turn: Turn, context: str | None = None, *, integration: bool = False
    ) -> TurnRecord:
        """Run one turn (``context`` is prepended to its user message) and emit its record."""
        if self._t_start is None:
            self._t_start = now_ns()
        record = await self._run_turn(index, turn, context)
        if integration:
            record.integration = True
        self._turns_run += 1
        await self.sink(record)
        self._status = _worse(self._status, record.status)
        self._t_end = now_ns()
        return record

    async def finish(self) -> SessionRecord:
        """Emit the session record (once)."""
        t_start = self._t_start if self._t_start is not None else now_ns()
        session = SessionRecord(
            session_id=self.session_id,
            scenario_id=self.scenario.id,
            agent_id=self.agent.id,
            level=self.level,
            status=self._status,
            turns=self._turns_run,
            files=dict(self.workspace.files),
            rejected_paths=list(self.workspace.rejected),
            t_start_ns=t_start - self.dispatcher.t0_ns,
            t_end_ns=(self._t_end or now_ns()) - self.dispatcher.t0_ns,
            shape=self.shape,
            role=self.role,
        )
        await self.sink(session)
        return session

    def _user_message(self, index: int, turn: Turn, context: str | None) -> str:
        content = turn.content
        if turn.event is not None and turn.event.from_agent and "{progress}" in content:
            summary = self.progress(turn.event.from_agent) if self.progress else ""
            content = content.replace("{progress}", summary or "(no progress reported yet)")
        if index == 0 and self.brief:
            content = f"{self.brief}\n\n{content}"
        if context:
            content = f"{context}\n\n{content}"
        return content

    def _tools(self, turn: Turn) -> list[dict[str, Any]] | None:
        tools = [self.scenario.tool(name) for name in turn.tools]
        found = [t.model_dump(mode="json", exclude_none=True) for t in tools if t is not None]
        return found or None

    async def _run_turn(self, index: int, turn: Turn, context: str | None) -> TurnRecord:
        t_start = now_ns()
        user = self._user_message(index, turn, context)
        self.messages.append({"role": "user", "content": user})
        state = _TurnState()
        max_steps = turn.max_steps or self.settings.max_steps
        if self.settings.max_steps_cap is not None:
            max_steps = min(max_steps, self.settings.max_steps_cap)
        for step in range(max_steps):
            rec = await self._request(index, step, turn)
            state.steps = step + 1
            state.request_ids.append(rec.request_id)
            if rec.status != "ok":
                state.status = rec.status
                break
            self.messages.append(_assistant_message(rec))
            if not rec.tool_calls:
                state.final_text = rec.content
                if rec.finish_reason == "length" or not rec.content.strip():
                    state.status = "failed"
                break
            self._answer_tools(rec.tool_calls, turn, state)
        else:
            state.hit_max_steps, state.status = True, "failed"
        if state.status in ("ok", "failed") and any(r.fixture_gap for r in state.results):
            state.status = "fixture_gap"
        self.last_final_text = state.final_text or self.last_final_text
        return TurnRecord(
            session_id=self.session_id,
            scenario_id=self.scenario.id,
            agent_id=self.agent.id,
            level=self.level,
            turn_index=index,
            event=turn.event.kind if turn.event else None,
            user_message=user,
            status=state.status,
            steps=state.steps,
            request_ids=state.request_ids,
            final_text=state.final_text,
            tool_calls=state.calls,
            tool_results=state.results,
            hit_max_steps=state.hit_max_steps,
            shape=self.shape,
            t_start_ns=t_start - self.dispatcher.t0_ns,
            t_end_ns=now_ns() - self.dispatcher.t0_ns,
        )

    def _answer_tools(self, calls: list[ToolCallRecord], turn: Turn, state: _TurnState) -> None:
        for call in calls:
            result = self.workspace.call(call, turn)
            state.calls.append(call)
            state.results.append(result)
            self.messages.append(
                {"role": "tool", "tool_call_id": call.id, "content": result.output}
            )

    async def _request(self, index: int, step: int, turn: Turn) -> RequestRecord:
        self._request_seq += 1
        meta = RequestMeta(
            request_id=f"{self.session_id}-r{self._request_seq}",
            session_id=self.session_id,
            scenario_id=self.scenario.id,
            agent_id=self.agent.id,
            level=self.level,
            turn_index=index,
            step=step,
        )
        s = self.settings
        tools = self._tools(turn)
        extra = dict(s.extra_body)
        if tools and s.tool_choice:
            extra["tool_choice"] = s.tool_choice
        request = ChatRequest(
            model=s.model,
            messages=list(self.messages),
            tools=tools,
            max_tokens=s.max_tokens,
            temperature=s.temperature,
            seed=s.seed,
            extra_body=extra,
        )
        rec = await self.dispatcher.send(request, meta)
        _make_ids_unique(rec.tool_calls, self._seen_ids, meta.request_id)
        await self.sink(rec)
        return rec

    @property
    def _seen_ids(self) -> set[str]:
        return {
            call["id"]
            for message in self.messages
            if message.get("role") == "assistant"
            for call in message.get("tool_calls") or []
        }


def progress_summary(agent_id: str, files: Mapping[str, str], last_text: str) -> str:
    """One line: the files an agent wrote and the STATUS line of its last answer."""
    written = ", ".join(sorted(files)) or "none yet"
    status = _STATUS_LINE.findall(last_text)
    last = status[-1].strip() if status else "STATUS: in progress"
    return f"{agent_id} has written: {written}; {last}"


_SEVERITY: dict[str, int] = {"ok": 0, "failed": 1, "fixture_gap": 2, "timeout": 3, "error": 4}


def _worse(a: TurnStatus, b: TurnStatus) -> TurnStatus:
    return a if _SEVERITY[a] >= _SEVERITY[b] else b


def _system_messages(scenario: Scenario, agent: Agent) -> list[dict[str, Any]]:
    parts = [p for p in (scenario.system_prompt, agent.system_prompt) if p]
    return [{"role": "system", "content": "\n\n".join(parts)}] if parts else []


def _assistant_message(rec: RequestRecord) -> dict[str, Any]:
    message: dict[str, Any] = {"role": "assistant", "content": rec.content}
    if rec.tool_calls:
        message["tool_calls"] = [
            {"id": c.id, "type": "function", "function": {"name": c.name, "arguments": c.arguments}}
            for c in rec.tool_calls
        ]
    return message


def _make_ids_unique(calls: list[ToolCallRecord], seen: set[str], request_id: str) -> None:
    """A tool-call id reused by the server (within a reply or across the conversation) is
    replaced, so that every tool message answers exactly one call."""
    used = set(seen)
    for i, call in enumerate(calls):
        if call.id in used:
            calls[i] = call.model_copy(
                update={"id": f"call_{request_id}_{i}_dedup", "id_generated": True}
            )
        used.add(calls[i].id)
