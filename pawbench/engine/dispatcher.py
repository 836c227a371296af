"""The dispatcher: sends one request through an endpoint and stamps every wire event as it
arrives (``perf_counter_ns``, before parsing). The only place in pawbench that reads the clock
for measurements."""

from __future__ import annotations

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
    StreamDecoder,
    StreamDone,
    StreamErrorEvent,
    StreamEvent,
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


class _Stream:
    """One request's ``StreamReceiver``: stamps every report on arrival (``perf_counter_ns``,
    before decoding) and keeps what has arrived so far."""

    __slots__ = (
        "calls",
        "chunks_before",
        "content",
        "decoder",
        "finish",
        "gaps_ms",
        "reasoning",
        "reconnects",
        "retries",
        "status",
        "stream_error",
        "t_done",
        "t_first",
        "t_first_content",
        "t_first_tool",
        "t_headers",
        "t_last",
        "usage",
    )

    def __init__(self) -> None:
        self.t_headers: int | None = None
        self.t_first: int | None = None
        self.t_first_content: int | None = None
        self.t_first_tool: int | None = None
        self.t_last: int | None = None
        self.t_done: int | None = None
        self.gaps_ms: list[float] = []  # ITL samples, converted as they arrive
        self.retries = 0
        self.reconnects = 0
        self.status: int | None = None
        self.content: list[str] = []
        self.reasoning: list[str] = []
        self.calls: dict[int, _PartialCall] = {}
        self.usage: UsageInfo | None = None
        self.finish: str | None = None
        self.stream_error: str | None = None
        self.decoder: StreamDecoder | None = None
        self.chunks_before = 0  # events decoded by the decoders of earlier attempts

    @property
    def chunks(self) -> int:
        """SSE events with data, over all attempts."""
        decoder = self.decoder
        return self.chunks_before + (decoder.events if decoder is not None else 0)

    # --- StreamReceiver ---

    def on_response_start(self, status: int, attempt: int, decoder: StreamDecoder) -> None:
        self.t_headers, self.status = now_ns(), status
        if self.decoder is not None:
            self.chunks_before += self.decoder.events
        self.decoder = decoder

    def on_retry(self, attempt: int, reason: str, wait_s: float) -> None:
        if reason == STALE_CONNECTION:
            self.reconnects += 1
        else:
            self.retries += 1

    def on_data(self, data: bytes) -> None:
        t = now_ns()
        decoder = self.decoder
        if decoder is None:
            raise RuntimeError("the endpoint reported body data before its response start")
        self._apply(decoder.feed(data), t)

    def on_end(self) -> None:
        t = now_ns()
        decoder = self.decoder
        if decoder is None:
            raise RuntimeError("the endpoint reported a body end before its response start")
        self._apply(decoder.finish(), t)

    # ---

    def _apply(self, events: list[StreamEvent], t: int) -> None:
        for ev in events:
            if type(ev) is ContentDelta:  # the common event first, _token_at inlined
                if ev.text:
                    if self.t_first is None:
                        self.t_first = self.t_first_content = t
                    else:
                        if self.t_last is not None:
                            self.gaps_ms.append((t - self.t_last) / 1e6)
                        if self.t_first_content is None:
                            self.t_first_content = t
                    self.t_last = t
                    if ev.chunks > 1:  # pieces that arrived together: no time between them
                        self.gaps_ms += [0.0] * (ev.chunks - 1)
                    self.content.append(ev.text)
            else:
                self._apply_other(ev, t)

    def _apply_other(self, ev: StreamEvent, t: int) -> None:
        if isinstance(ev, ReasoningDelta):
            if ev.text:
                self._token_at(t, ev.chunks)
                self.reasoning.append(ev.text)
        elif isinstance(ev, ToolCallDelta):
            self._token_at(t, 1)
            self.t_first_tool = self.t_first_tool or t
            partial = self.calls.setdefault(ev.index, _PartialCall())
            partial.id = partial.id or ev.id
            partial.name += ev.name or ""
            partial.arguments.append(ev.arguments)
        elif isinstance(ev, UsageInfo):
            self.usage = ev
        elif isinstance(ev, FinishReason):
            self.finish = ev.reason
        elif isinstance(ev, StreamErrorEvent):
            self.stream_error = ev.message
        elif isinstance(ev, StreamDone):
            self.t_done = self.t_done or t

    def _token_at(self, t: int, chunks: int) -> None:
        if self.t_first is None:
            self.t_first = t
        elif self.t_last is not None:
            self.gaps_ms.append((t - self.t_last) / 1e6)
        self.t_last = t
        if chunks > 1:
            self.gaps_ms += [0.0] * (chunks - 1)


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
        t_sent = now_ns()
        error: TransportError | None = None
        try:
            await self.endpoint.exchange(request, state)
        except TransportError as exc:
            error = exc
            state.retries = max(state.retries, exc.retries)
        # The stream ends at [DONE]; the endpoint may still drain the body after it.
        t_end = state.t_done if state.t_done is not None and error is None else now_ns()
        return self._record(request, meta, state, t_sent, t_end, error)

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
            itl_ms=state.gaps_ms,
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
