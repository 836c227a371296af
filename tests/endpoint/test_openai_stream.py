"""Streaming against a real HTTP server on 127.0.0.1: request body, headers, SSE framing."""

from __future__ import annotations

import asyncio

import orjson

from pawbench.api import (
    ChatRequest,
    ContentDelta,
    FinishReason,
    ReasoningDelta,
    ResponseStart,
    StreamDone,
    StreamErrorEvent,
    UsageInfo,
)

from .scripted_server import DONE, Reply, chat_stream, chunk, sse, tool_call_stream
from .support import decoded, reasoning_of, stream_once, text_of, tool_calls_of


def test_stream_with_usage_only_final_chunk() -> None:
    reply = Reply(chunks=chat_stream(["Hel", "lo", " world"], prompt_tokens=42))
    server, _endpoint, events, error, _ = asyncio.run(stream_once([reply]))
    assert error is None
    assert events[0] == ResponseStart(200, 0)
    assert events.chunks == 7  # role prelude, three pieces of text, finish, usage, [DONE]
    stream = decoded(events)
    assert text_of(stream) == "Hello world"
    assert stream[-3:] == [FinishReason("stop"), UsageInfo(42, 3), StreamDone()]
    assert len(server.chat_requests) == 1


def test_request_body_and_headers() -> None:
    request = ChatRequest(
        model="m1",
        messages=[{"role": "user", "content": "hi"}],
        tools=[{"type": "function", "function": {"name": "read_file", "parameters": {}}}],
        temperature=0.2,
        extra_body={"top_p": 0.9, "max_tokens": 77},
    )
    server, _, _, error, _ = asyncio.run(
        stream_once(
            [Reply(chunks=chat_stream(["x"]))],
            request=request,
            api_key="sk-test-key-0001",
            headers={"X-Team": "paw-team"},
            max_tokens=500,
            temperature=0.9,
            seed=7,
        )
    )
    assert error is None
    (received,) = server.chat_requests
    assert received.path == "/v1/chat/completions"
    assert received.json() == {
        "model": "m1",
        "messages": [{"role": "user", "content": "hi"}],
        "stream": True,
        "stream_options": {"include_usage": True},
        "tools": request.tools,
        "temperature": 0.2,  # the request's value wins over the config's
        "seed": 7,
        "max_tokens": 77,  # extra_body merged last
        "top_p": 0.9,
    }
    assert received.headers["Authorization"] == "Bearer sk-test-key-0001"
    assert received.headers["X-Team"] == "paw-team"
    assert received.headers["Accept"] == "text/event-stream"
    assert received.headers["Accept-Encoding"] == "identity"


def test_no_optional_fields_when_unset() -> None:
    server, _, _, _, _ = asyncio.run(stream_once([Reply(chunks=chat_stream(["x"]))]))
    body = server.chat_requests[0].json()
    assert set(body) == {"model", "messages", "stream", "stream_options"}
    assert "Authorization" not in server.chat_requests[0].headers


def test_data_without_space_and_keepalive_comments() -> None:
    pieces = chat_stream(["a", "b"], space=False)
    with_comments = [b": keep-alive\n\n", *pieces[:2], b":\n\n", b": ping\r\n\r\n", *pieces[2:]]
    _, _endpoint, events, error, _ = asyncio.run(stream_once([Reply(chunks=with_comments)]))
    assert error is None
    stream = decoded(events)
    assert text_of(stream) == "ab"
    assert stream[-1] == StreamDone()
    assert events.chunks == len(pieces)


def test_events_split_across_network_writes_and_crlf() -> None:
    whole = b"".join(
        p.replace(b"\n", b"\r\n")
        for p in chat_stream(["one ", "two ", "three"])
        if isinstance(p, bytes)
    )
    pieces: list[bytes | float] = []
    for i in range(0, len(whole), 7):
        # a pause after each 7-byte write, so that the client reads them apart
        pieces += [whole[i : i + 7], 0.002]
    _, _endpoint, events, error, _ = asyncio.run(stream_once([Reply(chunks=pieces)]))
    assert error is None
    stream = decoded(events)
    assert text_of(stream) == "one two three"
    assert stream[-1] == StreamDone()


def test_tool_call_arguments_split_over_many_chunks() -> None:
    arguments = orjson.dumps({"path": "src/app.py", "content": "print('hi')\n" * 5}).decode()
    fragments = [arguments[i : i + 3] for i in range(0, len(arguments), 3)]
    reply = Reply(chunks=tool_call_stream("call_7", "write_file", fragments))
    _, _endpoint, events, error, _ = asyncio.run(stream_once([reply]))
    assert error is None
    stream = decoded(events)
    assert tool_calls_of(stream) == {
        0: {"id": "call_7", "name": "write_file", "arguments": arguments}
    }
    assert FinishReason("tool_calls") in stream
    assert text_of(stream) == ""


def test_reasoning_and_content_kept_apart() -> None:
    body = [
        sse(chunk({"role": "assistant", "content": ""})),
        sse(chunk({"reasoning_content": "Let me "})),
        sse(chunk({"reasoning_content": "think."})),
        sse(chunk({"content": "Answer."}, finish="length")),
        DONE,
    ]
    _, _endpoint, events, _, _ = asyncio.run(stream_once([Reply(chunks=body)]))
    stream = decoded(events)
    assert reasoning_of(stream) == "Let me think."
    assert text_of(stream) == "Answer."
    first = next(e for e in stream if isinstance(e, ReasoningDelta | ContentDelta))
    assert isinstance(first, ReasoningDelta)  # pieces read together may arrive merged
    assert first.text in ("Let me ", "Let me think.")
    assert FinishReason("length") in stream


def test_error_event_mid_stream() -> None:
    body = [
        sse(chunk({"content": "partial"})),
        b'event: error\ndata: {"error": {"message": "engine died"}}\n\n',
        b'data: {"error": {"message": "out of memory", "code": 500}}\n\n',
    ]
    _, _endpoint, events, error, _ = asyncio.run(stream_once([Reply(chunks=body)]))
    assert error is None  # the HTTP exchange completed; the error is in the stream
    stream = decoded(events)
    assert stream == [
        ContentDelta("partial"),
        StreamErrorEvent("engine died"),
        StreamErrorEvent("out of memory (code=500)"),
    ]


def test_last_event_without_blank_line_before_eof() -> None:
    body = [sse(chunk({"content": "x"})), b"data: [DONE]"]
    _, _endpoint, events, error, _ = asyncio.run(stream_once([Reply(chunks=body)]))
    assert error is None
    assert decoded(events) == [ContentDelta("x"), StreamDone()]
