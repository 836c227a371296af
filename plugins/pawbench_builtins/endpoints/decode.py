"""Decoding of OpenAI-format answers: one streamed chat-completion SSE payload into stream
events, and the ``/v1/models`` list.

``decode_chunk`` never raises: a payload that is not a JSON object becomes a
``StreamErrorEvent("malformed chunk: ...")``, so that one bad chunk is recorded, not fatal.
"""

from __future__ import annotations

from typing import Any

import orjson

from pawbench.api import (
    ContentDelta,
    FinishReason,
    ModelInfo,
    ReasoningDelta,
    StreamDone,
    StreamErrorEvent,
    StreamEvent,
    ToolCallDelta,
    UsageInfo,
)

DONE = b"[DONE]"
_loads = orjson.loads
SNIPPET_CHARS = 200


def snippet(data: bytes | str, limit: int = SNIPPET_CHARS) -> str:
    """``data`` as one line of text, truncated to ``limit`` characters."""
    text = data.decode("utf-8", "replace") if isinstance(data, bytes) else data
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit] + "..."


def decode_chunk(data: bytes) -> list[StreamEvent]:
    """The stream events carried by one SSE event's data."""
    if data == DONE:
        return [StreamDone()]
    try:
        obj = _loads(data)
    except orjson.JSONDecodeError:
        stripped = data.strip()
        if not stripped:
            return []
        if stripped == DONE:
            return [StreamDone()]
        return [StreamErrorEvent(f"malformed chunk: {snippet(data)}")]
    if type(obj) is not dict:
        return [StreamErrorEvent(f"malformed chunk: {snippet(data)}")]
    events: list[StreamEvent] = []
    choices = obj.get("choices")
    if choices and type(choices) is list:
        choice = choices[0]
        if type(choice) is dict:
            delta = choice.get("delta")
            if type(delta) is dict and delta:
                content = delta.get("content")
                if len(delta) == 1 and content and type(content) is str:
                    events.append(ContentDelta(content))  # the common chunk: one text delta
                else:
                    _decode_delta(delta, events)
            finish = choice.get("finish_reason")
            if finish:
                events.append(FinishReason(str(finish)))
    usage = obj.get("usage")
    if usage and type(usage) is dict:
        info = _usage(usage)
        if info is not None:
            events.append(info)
    error = obj.get("error")
    if error:
        events.append(StreamErrorEvent(error_message(error)))
    return events


def _decode_delta(delta: dict[str, Any], events: list[StreamEvent]) -> None:
    # some servers send both names for the same text: take one, never both
    reasoning = delta.get("reasoning_content") or delta.get("reasoning")
    if reasoning and isinstance(reasoning, str):
        events.append(ReasoningDelta(reasoning))
    content = delta.get("content")
    if content and isinstance(content, str):
        events.append(ContentDelta(content))
    tool_calls = delta.get("tool_calls")
    if tool_calls and isinstance(tool_calls, list):
        for position, call in enumerate(tool_calls):
            if isinstance(call, dict):
                events.append(_tool_call(call, position))


def _tool_call(call: dict[str, Any], position: int) -> ToolCallDelta:
    index = call.get("index")
    function = call.get("function")
    if not isinstance(function, dict):
        function = {}
    arguments = function.get("arguments")
    if arguments is not None and not isinstance(arguments, str):
        arguments = orjson.dumps(arguments).decode()
    return ToolCallDelta(
        index=index if isinstance(index, int) else position,
        id=call.get("id") or None,
        name=function.get("name") or None,
        arguments=arguments or "",
    )


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _usage(usage: dict[str, Any]) -> UsageInfo | None:
    prompt = _int(usage.get("prompt_tokens"))
    completion = _int(usage.get("completion_tokens"))
    if prompt is None and completion is None:
        return None
    prompt_details = usage.get("prompt_tokens_details")
    completion_details = usage.get("completion_tokens_details")
    return UsageInfo(
        prompt_tokens=prompt or 0,
        completion_tokens=completion or 0,
        cached_tokens=(
            _int(prompt_details.get("cached_tokens")) if isinstance(prompt_details, dict) else None
        ),
        reasoning_tokens=(
            _int(completion_details.get("reasoning_tokens"))
            if isinstance(completion_details, dict)
            else None
        ),
    )


def error_message(error: Any) -> str:
    """A one-line message from an OpenAI-style ``error`` value (object or string)."""
    if isinstance(error, dict):
        message = error.get("message")
        text = str(message) if message else orjson.dumps(error).decode()
        details = [f"{key}={error[key]}" for key in ("type", "code") if error.get(key)]
        if details and message:
            text = f"{text} ({', '.join(details)})"
        return snippet(text, 500)
    return snippet(str(error), 500)


_CONTEXT_KEYS = ("max_model_len", "context_length", "context_window", "max_context_length")


def parse_models(obj: Any) -> list[ModelInfo]:
    """The models of a ``/v1/models`` answer (``{"data": [...]}``; ``{"models": [...]}`` too)."""
    if not isinstance(obj, dict):
        return []
    entries = obj.get("data")
    if not isinstance(entries, list):
        entries = obj.get("models")
    if not isinstance(entries, list):
        return []
    models: list[ModelInfo] = []
    for entry in entries:
        if not isinstance(entry, dict):
            continue
        model_id = entry.get("id") or entry.get("model") or entry.get("name")
        if not model_id:
            continue
        owner = entry.get("owned_by")
        context = next((entry[k] for k in _CONTEXT_KEYS if _int(entry.get(k))), None)
        meta = entry.get("meta")  # llama.cpp's server: {"meta": {"n_ctx_train": ...}}
        if context is None and isinstance(meta, dict) and _int(meta.get("n_ctx_train")):
            context = meta["n_ctx_train"]
        models.append(
            ModelInfo(
                id=str(model_id),
                owned_by=str(owner) if owner else None,
                max_model_len=context,
                raw=entry,
            )
        )
    return models
