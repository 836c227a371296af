"""Decoding of chat-completion chunks and of /v1/models answers."""

from __future__ import annotations

import asyncio

import orjson
from pawbench_builtins.endpoints.decode import decode_chunk, parse_models

from pawbench.api import (
    ContentDelta,
    FinishReason,
    ReasoningDelta,
    StreamDone,
    StreamErrorEvent,
    ToolCallDelta,
    UsageInfo,
)

from .scripted_server import DONE, Reply, chunk, sse
from .support import decoded, stream_once


def delta_chunk(delta: object, finish: object = None, **extra: object) -> bytes:
    choice = {"index": 0, "delta": delta, "finish_reason": finish}
    return orjson.dumps({"object": "chat.completion.chunk", "choices": [choice], **extra})


def test_done() -> None:
    assert decode_chunk(b"[DONE]") == [StreamDone()]
    assert decode_chunk(b" [DONE] ") == [StreamDone()]


def test_content() -> None:
    assert decode_chunk(delta_chunk({"content": "Hello"})) == [ContentDelta("Hello")]


def test_role_only_prelude_yields_nothing() -> None:
    assert decode_chunk(delta_chunk({"role": "assistant", "content": ""})) == []
    assert decode_chunk(delta_chunk({"role": "assistant"})) == []
    assert decode_chunk(delta_chunk({"role": "assistant", "content": None})) == []


def test_reasoning_kept_apart_from_content() -> None:
    assert decode_chunk(delta_chunk({"reasoning_content": "think"})) == [ReasoningDelta("think")]
    assert decode_chunk(delta_chunk({"reasoning": "hmm", "content": None})) == [
        ReasoningDelta("hmm")
    ]
    both = delta_chunk({"reasoning_content": "r", "reasoning": "r", "content": "c"})
    assert decode_chunk(both) == [ReasoningDelta("r"), ContentDelta("c")]


def test_tool_calls_per_entry() -> None:
    calls = [
        {"index": 0, "id": "call_a", "type": "function", "function": {"name": "read_file"}},
        {"index": 1, "id": "call_b", "function": {"name": "run", "arguments": '{"cmd"'}},
    ]
    assert decode_chunk(delta_chunk({"tool_calls": calls})) == [
        ToolCallDelta(index=0, id="call_a", name="read_file", arguments=""),
        ToolCallDelta(index=1, id="call_b", name="run", arguments='{"cmd"'),
    ]
    fragment = delta_chunk({"tool_calls": [{"index": 1, "function": {"arguments": ':"ls"}'}}]})
    assert decode_chunk(fragment) == [ToolCallDelta(index=1, arguments=':"ls"}')]


def test_tool_call_without_index_uses_position_and_object_arguments() -> None:
    calls = [{"id": "x", "function": {"name": "f", "arguments": {"a": 1}}}]
    assert decode_chunk(delta_chunk({"tool_calls": calls})) == [
        ToolCallDelta(index=0, id="x", name="f", arguments='{"a":1}')
    ]


def test_finish_reason() -> None:
    assert decode_chunk(delta_chunk({}, "length")) == [FinishReason("length")]
    assert decode_chunk(delta_chunk({"content": "x"}, "stop")) == [
        ContentDelta("x"),
        FinishReason("stop"),
    ]


def test_usage_only_final_chunk() -> None:
    data = orjson.dumps(
        {
            "choices": [],
            "usage": {
                "prompt_tokens": 120,
                "completion_tokens": 33,
                "total_tokens": 153,
                "prompt_tokens_details": {"cached_tokens": 64},
                "completion_tokens_details": {"reasoning_tokens": 12},
            },
        }
    )
    assert decode_chunk(data) == [UsageInfo(120, 33, cached_tokens=64, reasoning_tokens=12)]


def test_usage_without_details_and_null_usage() -> None:
    data = orjson.dumps({"choices": [], "usage": {"prompt_tokens": 5, "completion_tokens": 2}})
    assert decode_chunk(data) == [UsageInfo(5, 2)]
    assert decode_chunk(delta_chunk({"content": "a"}, usage=None)) == [ContentDelta("a")]
    details_null = {"prompt_tokens": 5, "completion_tokens": 2, "prompt_tokens_details": None}
    assert decode_chunk(orjson.dumps({"usage": details_null})) == [UsageInfo(5, 2)]


def test_usage_on_the_last_content_chunk() -> None:
    data = delta_chunk({}, "stop", usage={"prompt_tokens": 3, "completion_tokens": 4})
    assert decode_chunk(data) == [FinishReason("stop"), UsageInfo(3, 4)]


def test_error_object_and_string() -> None:
    data = orjson.dumps({"error": {"message": "context too long", "type": "invalid", "code": 400}})
    assert decode_chunk(data) == [StreamErrorEvent("context too long (type=invalid, code=400)")]
    assert decode_chunk(b'{"error": "overloaded"}') == [StreamErrorEvent("overloaded")]


def test_invalid_json_is_an_error_event_not_an_exception() -> None:
    (event,) = decode_chunk(b'{"choices": [')
    assert isinstance(event, StreamErrorEvent)
    assert event.message == 'malformed chunk: {"choices": ['
    (event,) = decode_chunk(b"[1, 2]")
    assert isinstance(event, StreamErrorEvent)
    assert event.message.startswith("malformed chunk: ")
    long = decode_chunk(b"x" * 5000)[0]
    assert isinstance(long, StreamErrorEvent)
    assert len(long.message) < 300


def test_empty_data_yields_nothing() -> None:
    assert decode_chunk(b"") == []
    assert decode_chunk(b"  ") == []


def test_endpoint_redacts_secrets_in_stream_errors() -> None:
    body = [
        sse(chunk({"content": "hi"})),
        b'data: {"error": {"message": "bad key sk-top-secret-123"}}\n\n',
        DONE,
    ]
    outcome = asyncio.run(stream_once([Reply(chunks=body)], api_key="sk-top-secret-123"))
    assert outcome.error is None
    assert decoded(outcome.events) == [
        ContentDelta("hi"),
        StreamErrorEvent("bad key ***"),
        StreamDone(),
    ]


def test_parse_models() -> None:
    answer = {
        "object": "list",
        "data": [
            {"id": "qwen", "object": "model", "owned_by": "vllm", "max_model_len": 32768},
            {"id": "llama", "context_length": 8192},
            {"id": "bare"},
            {"no_id": True},
            "junk",
        ],
    }
    models = parse_models(answer)
    assert [(m.id, m.owned_by, m.max_model_len) for m in models] == [
        ("qwen", "vllm", 32768),
        ("llama", None, 8192),
        ("bare", None, None),
    ]
    assert models[0].raw["object"] == "model"


def test_parse_models_other_shapes() -> None:
    assert [m.id for m in parse_models({"models": [{"name": "m1", "model": "m1:latest"}]})] == [
        "m1:latest"
    ]
    assert parse_models({"data": []}) == []
    assert parse_models([1, 2]) == []


def test_llama_cpp_context_length_comes_from_meta() -> None:
    answer = {"data": [{"id": "smollm2", "owned_by": "llamacpp", "meta": {"n_ctx_train": 8192}}]}
    (model,) = parse_models(answer)
    assert model.id == "smollm2" and model.max_model_len == 8192
