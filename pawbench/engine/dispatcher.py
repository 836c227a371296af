"""The dispatcher: sends one request through an endpoint and stamps every wire event as it
arrives (``perf_counter_ns``, before parsing). The only place in pawbench that reads the clock
for measurements."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import orjson

from pawbench.components import Endpoint
from pawbench.engine.tokens import TokenCounter
from pawbench.models.records import RequestRecord, ToolCallRecord
from pawbench.models.wire import (
    STALE_CONNECTION,
    ChatRequest,
    ContentDelta,
    FinishReason,
    ReasoningDelta,
    ResponseStart,
    RetryScheduled,
    SSEData,
    StreamDone,
    StreamErrorEvent,
    ToolCallDelta,
    TransportError,
    UsageInfo,
)

now_ns = time.perf_counter_ns


@dataclass(slots=True)
class LiveCounters:
    """Running totals for live progress: requests in flight, finished, failed, and the
    completion tokens of finished requests. Read by the progress display; never a result."""

    in_flight: int = 0
    done: int = 0
    errors: int = 0
    tokens: int = 0

    def reset(self) -> None:
        """Zero the totals of finished requests (a new level starts)."""
        self.done = self.errors = self.tokens = 0


@dataclass(frozen=True)
class RequestMeta:
    """Who sends a request, for its record."""

    request_id: str
    session_id: str
    scenario_id: str
    agent_id: str
    level: int
    turn_index: int
    step: int
    t_scheduled_ns: int | None = None


@dataclass
class _PartialCall:
    id: str | None = None
    name: str = ""
    arguments: list[str] = field(default_factory=list)


@dataclass
class _Stream:
    """What has arrived so far for one request."""

    t_headers: int | None = None
    t_first: int | None = None
    t_first_content: int | None = None
    t_first_tool: int | None = None
    t_last: int | None = None
    t_done: int | None = None
    gaps_ns: list[int] = field(default_factory=list)
    chunks: int = 0
    retries: int = 0
    reconnects: int = 0
    status: int | None = None
    content: list[str] = field(default_factory=list)
    reasoning: list[str] = field(default_factory=list)
    calls: dict[int, _PartialCall] = field(default_factory=dict)
    usage: UsageInfo | None = None
    finish: str | None = None
    stream_error: str | None = None

    def token_at(self, t: int) -> None:
        if self.t_first is None:
            self.t_first = t
        elif self.t_last is not None:
            self.gaps_ns.append(t - self.t_last)
        self.t_last = t


def _ms(delta_ns: int | None) -> float | None:
    return None if delta_ns is None else delta_ns / 1e6


class Dispatcher:
    """Sends requests and turns their streams into RequestRecords."""

    def __init__(
        self,
        endpoint: Endpoint,
        t0_ns: int,
        counter: TokenCounter,
        scrub: Callable[[str], str] = str,
    ) -> None:
        self.endpoint = endpoint
        self.t0_ns = t0_ns
        self.counter = counter
        self.scrub = scrub
        self.live = LiveCounters()

    async def send(self, request: ChatRequest, meta: RequestMeta) -> RequestRecord:
        """Send a request; never raises for transport problems (they become the record).
        A cancelled send (a request abandoned by the load generator) produces no record."""
        live = self.live
        live.in_flight += 1
        try:
            record = await self._send(request, meta)
        finally:
            live.in_flight -= 1
        live.done += 1
        if record.status != "ok":
            live.errors += 1
        live.tokens += record.completion_tokens or 0
        return record

    async def _send(self, request: ChatRequest, meta: RequestMeta) -> RequestRecord:
        state = _Stream()
        on_data = self._on_data
        t_sent = now_ns()
        error: TransportError | None = None
        try:
            async with contextlib.aclosing(self.endpoint.stream(request)) as events:
                async for event in events:
                    t = now_ns()
                    if isinstance(event, SSEData):
                        on_data(state, event.data, t)
                    elif isinstance(event, ResponseStart):
                        state.t_headers, state.status = t, event.status
                    elif isinstance(event, RetryScheduled):
                        if event.reason == STALE_CONNECTION:
                            state.reconnects += 1
                        else:
                            state.retries += 1
        except TransportError as exc:
            error = exc
            state.retries = max(state.retries, exc.retries)
        # The stream ends at [DONE]; the endpoint may still drain the body after it.
        t_end = state.t_done if state.t_done is not None and error is None else now_ns()
        return self._record(request, meta, state, t_sent, t_end, error)

    def _on_data(self, state: _Stream, data: bytes, t: int) -> None:
        state.chunks += 1
        for ev in self.endpoint.decode(data):
            if isinstance(ev, ContentDelta):  # the common event first, token_at inlined
                if ev.text:
                    if state.t_first is None:
                        state.t_first = state.t_first_content = t
                    else:
                        if state.t_last is not None:
                            state.gaps_ns.append(t - state.t_last)
                        if state.t_first_content is None:
                            state.t_first_content = t
                    state.t_last = t
                    state.content.append(ev.text)
            elif isinstance(ev, ReasoningDelta):
                if ev.text:
                    state.token_at(t)
                    state.reasoning.append(ev.text)
            elif isinstance(ev, ToolCallDelta):
                state.token_at(t)
                state.t_first_tool = state.t_first_tool or t
                partial = state.calls.setdefault(ev.index, _PartialCall())
                partial.id = partial.id or ev.id
                partial.name += ev.name or ""
                partial.arguments.append(ev.arguments)
            elif isinstance(ev, UsageInfo):
                state.usage = ev
            elif isinstance(ev, FinishReason):
                state.finish = ev.reason
            elif isinstance(ev, StreamErrorEvent):
                state.stream_error = ev.message
            elif isinstance(ev, StreamDone):
                state.t_done = state.t_done or t

    def _record(
        self,
        request: ChatRequest,
        meta: RequestMeta,
        state: _Stream,
        t_sent: int,
        t_end: int,
        error: TransportError | None,
    ) -> RequestRecord:
        content, reasoning = "".join(state.content), "".join(state.reasoning)
        calls = _assemble(state.calls, meta.request_id)
        prompt, completion, estimated = self._tokens(request, state, content, reasoning, calls)
        status, cause, message = "ok", None, None
        if error is not None:
            status = "timeout" if error.is_timeout else "error"
            cause, message = error.cause, self.scrub(str(error))
        elif state.stream_error is not None:
            status, cause, message = "error", "stream_error", self.scrub(state.stream_error)
        tpot = None
        if state.t_first is not None and state.t_last is not None and completion > 1:
            tpot = (state.t_last - state.t_first) / (completion - 1) / 1e6
        rel = self.t0_ns
        return RequestRecord(
            request_id=meta.request_id,
            session_id=meta.session_id,
            scenario_id=meta.scenario_id,
            agent_id=meta.agent_id,
            level=meta.level,
            turn_index=meta.turn_index,
            step=meta.step,
            status=status,
            error_cause=cause,
            error_message=message,
            http_status=error.status if error is not None else state.status,
            retries=state.retries,
            reconnects=state.reconnects,
            t_sent_ns=t_sent - rel,
            t_headers_ns=None if state.t_headers is None else state.t_headers - rel,
            t_first_token_ns=None if state.t_first is None else state.t_first - rel,
            t_last_token_ns=None if state.t_last is None else state.t_last - rel,
            t_end_ns=t_end - rel,
            t_scheduled_ns=meta.t_scheduled_ns,
            ttft_ms=_ms(None if state.t_first is None else state.t_first - t_sent),
            ttfc_ms=_ms(None if state.t_first_content is None else state.t_first_content - t_sent),
            ttft_tool_ms=_ms(None if state.t_first_tool is None else state.t_first_tool - t_sent),
            tpot_ms=tpot,
            e2e_ms=(t_end - t_sent) / 1e6,
            itl_ms=[g / 1e6 for g in state.gaps_ns],
            chunks=state.chunks,
            prompt_tokens=prompt,
            completion_tokens=completion,
            cached_tokens=state.usage.cached_tokens if state.usage else None,
            reasoning_tokens=state.usage.reasoning_tokens if state.usage else None,
            tokens_estimated=estimated,
            finish_reason=state.finish,
            content=content,
            reasoning=reasoning,
            tool_calls=calls,
        )

    def _tokens(
        self,
        request: ChatRequest,
        state: _Stream,
        content: str,
        reasoning: str,
        calls: list[ToolCallRecord],
    ) -> tuple[int, int, bool]:
        if state.usage is not None:
            return state.usage.prompt_tokens, state.usage.completion_tokens, False
        generated = content + reasoning + "".join(c.name + c.arguments for c in calls)
        prompt = self.counter.count_messages(request.messages)
        return prompt, self.counter.count(generated), not self.counter.exact


def _assemble(calls: dict[int, _PartialCall], request_id: str) -> list[ToolCallRecord]:
    out: list[ToolCallRecord] = []
    for index in sorted(calls):
        partial = calls[index]
        arguments = "".join(partial.arguments)
        out.append(
            ToolCallRecord(
                id=partial.id or f"call_{request_id}_{index}",
                name=partial.name,
                arguments=arguments,
                valid_json=_is_json_object(arguments),
                id_generated=partial.id is None,
            )
        )
    return out


def _is_json_object(arguments: str) -> bool:
    if not arguments.strip():
        return True  # a tool without parameters: servers send "" for {}
    try:
        return isinstance(orjson.loads(arguments), dict)
    except orjson.JSONDecodeError:
        return False
